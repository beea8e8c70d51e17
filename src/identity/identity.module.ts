import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { CONFIG, EVENT_STORE, POSTGRES } from '../app/infrastructure.module';
import type { Config } from '../config/config';
import { CommandHandler } from '../command-handling/command-handler';
import { EventStore } from '../event-store/event-store.port';
import { PostgresConnection } from '../postgres/postgres-connection';
import { IdentityAdminResolver } from './identity-admin.resolver';
import { IdentityAdminService } from './identity-admin.service';
import { IdentityBootstrap } from './identity.bootstrap';
import { IdentityResolver } from './identity.resolver';
import { IdentityService } from './identity.service';
import { ORGANISATION_COMMANDS, SESSION_STORE, USER_COMMANDS } from './identity.tokens';
import { organisationDecider } from './organisation.decider';
import { SessionStore } from './session-store';
import { userDecider } from './user.decider';

/** Users, organisations and sessions behind the GraphQL identity fields (DESIGN §4, §12). */
@Module({
  imports: [
    // Per client address, in this process's memory: several api replicas each count their own
    // share (a Redis store would make it exact); the account lockout is the hard limit anyway.
    ThrottlerModule.forRootAsync({
      inject: [CONFIG],
      useFactory: (config: Config) => [{ ttl: config.LOGIN_RATE_WINDOW_SECONDS * 1000, limit: config.LOGIN_RATE_LIMIT }],
    }),
  ],
  providers: [
    { provide: USER_COMMANDS, useFactory: (store: EventStore) => new CommandHandler(store, userDecider), inject: [EVENT_STORE] },
    {
      provide: ORGANISATION_COMMANDS,
      useFactory: (store: EventStore) => new CommandHandler(store, organisationDecider),
      inject: [EVENT_STORE],
    },
    {
      provide: SESSION_STORE,
      useFactory: async (postgres: PostgresConnection) => {
        await SessionStore.ensureSchema(postgres.pool);
        return new SessionStore(postgres.pool);
      },
      inject: [POSTGRES],
    },
    IdentityService,
    IdentityResolver,
    IdentityBootstrap,
    IdentityAdminService,
    IdentityAdminResolver,
  ],
  exports: [IdentityService],
})
export class IdentityModule {}
