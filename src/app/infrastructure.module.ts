import { Global, Inject, Module, OnApplicationShutdown, DynamicModule } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Config } from '../config/config';
import { connectPostgres, PostgresConnection } from '../postgres/postgres-connection';
import { EventStore } from '../event-store/event-store.port';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { KurrentDbEventStore } from '../event-store/kurrentdb/kurrentdb-event-store';
import { Clock, CLOCK, systemClock } from './clock';

export const CONFIG = Symbol('CONFIG');
export const POSTGRES = Symbol('POSTGRES');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const REDIS = Symbol('REDIS');

/** The configured event store adapter; the PostgreSQL one gets its schema first. */
export async function openEventStore(config: Config, postgres: PostgresConnection): Promise<EventStore> {
  if (config.EVENT_STORE === 'eventstoredb') return KurrentDbEventStore.connect(config.EVENTSTORE_URL!);
  await PostgresEventStore.ensureSchema(postgres.pool);
  return new PostgresEventStore(postgres.pool, { listenConnection: { connectionString: postgres.connectionString } });
}

/** The connections every process shares: PostgreSQL (read models, default event store), the event store, Redis; and the clock. */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(config: Config, clock: Clock = systemClock): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: POSTGRES, useFactory: () => connectPostgres(config) },
        { provide: EVENT_STORE, useFactory: openEventStore, inject: [CONFIG, POSTGRES] },
        {
          provide: REDIS,
          // Lazy: a process must start (and report not-ready) while Redis is still coming up.
          useFactory: () => new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 }),
        },
      ],
      exports: [CONFIG, CLOCK, POSTGRES, EVENT_STORE, REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    this.redis.disconnect();
    await this.postgres.close();
  }
}
