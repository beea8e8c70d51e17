import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { CLOCK, Clock } from '../app/clock';
import { CONFIG } from '../app/infrastructure.module';
import { CommandEnvelope, CommandHandler } from '../command-handling/command-handler';
import type { Config } from '../config/config';
import { InvalidStateError } from '../shared/domain-error';
import type { Actor } from './authority';
import { ORGANISATION_COMMANDS, USER_COMMANDS } from './identity.tokens';
import type { UserCommands } from './identity.service';
import { OrganisationCommand } from './organisation.commands';
import { organisationStream } from './organisation.decider';
import { OrganisationEvent, OrganisationState } from './organisation.events';
import { hashPassword } from './password-hasher';
import { validatePassword } from './password-policy';
import { accountIdFor } from './user-account-id';
import { userStream } from './user.decider';

export type OrganisationCommands = CommandHandler<OrganisationCommand, OrganisationEvent, OrganisationState>;

/** Who acts on a first start, when no user exists yet to act: recorded as such in the events. */
const BOOTSTRAP_USER_ID = 'system:bootstrap';

/**
 * On the first start of an api process, creates the registry operator organisation and its
 * first SYSTEM_ADMINISTRATOR, without whom nobody could create anything. Nothing happens
 * once the configured administrator exists. There is no built-in password: without
 * BOOTSTRAP_ADMIN_PASSWORD a random one is generated and logged once.
 */
@Injectable()
export class IdentityBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('IdentityBootstrap');

  constructor(
    @Inject(USER_COMMANDS) private readonly users: UserCommands,
    @Inject(ORGANISATION_COMMANDS) private readonly organisations: OrganisationCommands,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { BOOTSTRAP_ADMIN_USER_ID: userId, REGISTRY_OPERATOR_ORI: ori } = this.config;
    const accountId = accountIdFor(userId);
    if ((await this.users.load(userStream(accountId))).length > 0) return;

    const generated = this.config.BOOTSTRAP_ADMIN_PASSWORD === undefined;
    const password = this.config.BOOTSTRAP_ADMIN_PASSWORD ?? randomBytes(18).toString('base64url');
    validatePassword(password, userId);
    const now = this.clock.now().toISOString();
    const actor: Actor = { userId: BOOTSTRAP_USER_ID, organisation: ori, roles: ['SYSTEM_ADMINISTRATOR'] };
    const envelope = (): CommandEnvelope => ({
      commandId: randomUUID(),
      actor: { userId: BOOTSTRAP_USER_ID, organisation: ori, role: 'SYSTEM_ADMINISTRATOR' },
      occurredAt: now,
    });

    const operator = this.organisations.fold(await this.organisations.load(organisationStream(ori)));
    if (!operator.organisation) {
      await this.ignoringAlreadyExists(
        this.organisations.handle(
          organisationStream(ori),
          { type: 'CreateOrganisation', ori, now, actor, name: 'Registry operator', kind: 'REGISTRY_OPERATOR', carposEnabled: false },
          envelope(),
        ),
      );
    } else if (operator.organisation.kind !== 'REGISTRY_OPERATOR') {
      throw new Error(`REGISTRY_OPERATOR_ORI ${ori} is a ${operator.organisation.kind}, not the registry operator`);
    }

    const created = await this.ignoringAlreadyExists(
      this.users.handle(
        userStream(accountId),
        {
          type: 'CreateUser',
          accountId,
          now,
          actor,
          userId,
          displayName: 'Registry system administrator',
          organisation: { ori, kind: 'REGISTRY_OPERATOR' },
          roles: ['SYSTEM_ADMINISTRATOR'],
          cletsCertified: false,
          passwordHash: await hashPassword(password),
        },
        envelope(),
      ),
    );
    if (!created) return;
    if (generated) {
      this.logger.warn(
        `created system administrator "${userId}" with one-time password ${password} (shown only this once; keep it safe)`,
      );
    } else {
      this.logger.log(`created system administrator "${userId}" with the password from BOOTSTRAP_ADMIN_PASSWORD`);
    }
  }

  /** Another replica starting at the same moment may win the race; its result stands. */
  private async ignoringAlreadyExists(command: Promise<unknown>): Promise<boolean> {
    try {
      await command;
      return true;
    } catch (error) {
      if (error instanceof InvalidStateError && error.rule.endsWith('.already_exists')) return false;
      throw error;
    }
  }
}
