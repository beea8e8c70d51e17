import { Decider } from '../decider/decider';
import { normaliseOri } from '../shared/ori';
import { decide, OrganisationCommand } from './organisation.commands';
import { evolve, initialOrganisationState, OrganisationEvent, OrganisationState } from './organisation.events';

export const organisationDecider: Decider<OrganisationCommand, OrganisationEvent, OrganisationState> = {
  initialState: initialOrganisationState,
  decide,
  evolve,
};

/** The event store stream of one organisation, keyed by its ORI (DESIGN §2 `org-<code>`). */
export function organisationStream(ori: string): string {
  return `org-${normaliseOri(ori)}`;
}
