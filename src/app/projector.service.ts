import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { allProjections } from '../../projections';
import { EventStore } from '../event-store/event-store.port';
import { PostgresConnection } from '../postgres/postgres-connection';
import { Projector } from '../projection-engine/projector';
import { EVENT_STORE, POSTGRES } from './infrastructure.module';

/** The `projector` process: keeps every read model up to date (DESIGN.md §8). */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  readonly projector: Projector;

  constructor(@Inject(POSTGRES) postgres: PostgresConnection, @Inject(EVENT_STORE) store: EventStore) {
    this.projector = new Projector(postgres.pool, store, allProjections, { log: (message) => this.logger.log(message) });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  // Before the connections close (onApplicationShutdown of the infrastructure module).
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
