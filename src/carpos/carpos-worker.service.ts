import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { CLOCK, Clock } from '../app/clock';
import { CONFIG, EVENT_STORE, POSTGRES } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import type { Config } from '../config/config';
import { EventStore } from '../event-store/event-store.port';
import { orderUpcasters } from '../orders/order-history';
import { orderDecider } from '../orders/order.decider';
import { PostgresConnection } from '../postgres/postgres-connection';
import type { CarposJob } from './carpos-transaction';
import { CarposQueue, CarposRelay, startCarposWorker } from './carpos-queue';
import { CarposSender } from './carpos-sender';
import { CARPOS_QUEUE } from './carpos.tokens';
import { HttpDojGateway } from './doj-gateway';

const CLOSE_WAIT_MS = 10_000;

/** Who records DOJ's answers in the order's history. */
export const CARPOS_WORKER_USER = 'system:carpos-worker';

/** The `carpos-worker` process: the relay from the dispatcher projection into the queue, and the worker. */
@Injectable()
export class CarposWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CarposWorker');
  private relay?: CarposRelay;
  private worker?: Worker<CarposJob>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CARPOS_QUEUE) private readonly queue: CarposQueue,
  ) {}

  onApplicationBootstrap(): void {
    const { config } = this;
    const sender = new CarposSender(
      new CommandHandler(this.store, orderDecider, { upcasters: orderUpcasters }),
      new HttpDojGateway(config.DOJ_GATEWAY_URL, config.DOJ_TIMEOUT_MS),
      this.clock,
      { userId: CARPOS_WORKER_USER, organisation: config.REGISTRY_OPERATOR_ORI, roles: ['SYSTEM'] },
    );
    this.worker = startCarposWorker(sender, {
      redisUrl: config.REDIS_URL,
      queueName: config.CARPOS_QUEUE,
      concurrency: config.CARPOS_CONCURRENCY,
      lockMs: config.CARPOS_LOCK_MS,
    });
    this.worker.on('failed', (job, error) => {
      const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
      this.logger[final ? 'error' : 'warn'](`CARPOS ${job?.data.type} ${job?.data.tcn}: ${error.message}${final ? ' (out of tries)' : '; will try again'}`);
    });
    this.worker.on('error', (error) => this.logger.warn(`CARPOS worker: ${error.message}`));
    this.relay = new CarposRelay(this.postgres.pool, this.queue, {
      pollMs: config.CARPOS_RELAY_MS,
      onError: (error) => this.logger.warn(`CARPOS relay: ${error.message}`),
    });
    this.relay.start();
    this.logger.log(`sending CARPOS transactions to ${config.DOJ_GATEWAY_URL}`);
  }

  /**
   * Graceful: the relay stops, then the worker finishes the transactions it holds. BullMQ's
   * graceful close waits for Redis, forever while it is down; after CLOSE_WAIT_MS the worker is
   * closed by force, and a transaction it was sending is resent later with the same TCN.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    if (!this.worker) return;
    const worker = this.worker;
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(worker.close(true)), CLOSE_WAIT_MS);
    });
    await Promise.race([worker.close(), forced]);
    clearTimeout(timer);
  }
}
