import type { CommandHandler } from '../command-handling/command-handler';
import type { OrganisationCommand } from '../identity/organisation.commands';
import { organisationStream } from '../identity/organisation.decider';
import type { OrganisationEvent, OrganisationState } from '../identity/organisation.events';

/**
 * The county of a user's organisation, which scopes Quick Attach (DESIGN §6). Read from the
 * organisation's own stream (a folded-stream cache in front), so no read model has to catch up
 * after an organisation is created.
 */
export class OrganisationCounties {
  constructor(private readonly organisations: CommandHandler<OrganisationCommand, OrganisationEvent, OrganisationState>) {}

  /** Null for an organisation without a county (law enforcement may have none, the registry operator has none). */
  async countyOf(ori: string): Promise<string | null> {
    const { state } = await this.organisations.current(organisationStream(ori));
    return state.organisation?.county?.trim() || null;
  }
}
