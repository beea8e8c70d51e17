import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { CLOCK, Clock } from '../app/clock';
import { CONFIG, EVENT_STORE, POSTGRES } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import type { Config } from '../config/config';
import { EventStore } from '../event-store/event-store.port';
import { orderUpcasters } from '../orders/order-history';
import { orderDecider } from '../orders/order.decider';
import { PostgresConnection } from '../postgres/postgres-connection';
import { ensureRegistrySchema } from '../projection-engine/projection-registry';
import { bullConnection } from '../queue/bull-connection';
import { ReportSnapshots, snapshotReports } from '../reports/report-snapshots';
import { COURT_TIME_ZONE } from '../shared/court-calendar';
import { expireOrders } from './order-expiry';

export const EXPIRE_ORDERS_JOB = 'expire-orders';
export const SNAPSHOT_REPORTS_JOB = 'snapshot-reports';

/**
 * When each job runs, as cron patterns in court time (BullMQ job schedulers keyed by the job's
 * name, so every scheduler instance upserts the same two). Expiry just after midnight; the
 * snapshot after that night's expiry, on the first of the month.
 */
export const SCHEDULES: Record<string, string> = {
  [EXPIRE_ORDERS_JOB]: '5 0 * * *',
  [SNAPSHOT_REPORTS_JOB]: '15 0 1 * *',
};

/** A failed run (database down, read model behind) is tried again: 1, 2, 4, 8 minutes later. */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/**
 * The `scheduler` process: BullMQ repeatable jobs for order expiry (daily) and the report
 * snapshots (monthly). Any number of instances may run: BullMQ hands each run to one worker, and
 * the work itself is idempotent (deterministic command ids, one snapshot per court and month)
 * should a run be repeated anyway. The work takes its `now` from the clock, not from the job.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private queue?: Queue;
  private worker?: Worker;
  /** The job being worked on (one at a time), so shutdown can let it finish. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { pool } = this.postgres;
    await ReportSnapshots.ensureSchema(pool);
    // The snapshot waits on projection checkpoints, which a scheduler may look for before any projector ran.
    await ensureRegistrySchema(pool);
    const orders = new CommandHandler(this.store, orderDecider, { upcasters: orderUpcasters, cacheSize: 0 });
    const snapshots = new ReportSnapshots(pool);
    const work: Record<string, (now: Date) => Promise<unknown>> = {
      [EXPIRE_ORDERS_JOB]: (now) => expireOrders({ pool, orders, operatorOri: this.config.REGISTRY_OPERATOR_ORI }, now),
      [SNAPSHOT_REPORTS_JOB]: (now) => snapshotReports({ pool, store: this.store, snapshots }, now),
    };
    const connection = bullConnection(this.config.REDIS_URL);
    const queueName = this.config.SCHEDULER_QUEUE;
    this.queue = new Queue(queueName, { connection });
    this.queue.on('error', (error) => this.logger.warn(`scheduler queue: ${error.message}`));
    this.worker = new Worker(
      queueName,
      async (job: Job) => {
        const run = work[job.name];
        if (!run) throw new Error(`no scheduled job named ${job.name}`);
        const doing = run(this.clock.now());
        this.running = doing.catch(() => undefined);
        const outcome = await doing;
        this.logger.log(`${job.name}: ${JSON.stringify(outcome)}`);
        return outcome;
      },
      { connection, concurrency: 1 },
    );
    this.worker.on('failed', (job, error) => this.logger.error(`${job?.name}: ${error.message}`));
    this.worker.on('error', (error) => this.logger.warn(`scheduler worker: ${error.message}`));
    // Not awaited: a process whose Redis is still coming up starts anyway (and /ready says why);
    // BullMQ connects and registers once Redis answers.
    this.register().catch((error: Error) => this.logger.error(`registering the schedules failed: ${error.message}`));
  }

  private async register(): Promise<void> {
    for (const [name, pattern] of Object.entries(SCHEDULES)) {
      await this.queue!.upsertJobScheduler(name, { pattern, tz: COURT_TIME_ZONE }, { name, opts: JOB_OPTIONS });
    }
  }

  /**
   * Before the connections close (onApplicationShutdown of the infrastructure module): a running
   * job finishes its work first. The worker is then closed without waiting on Redis (BullMQ's
   * graceful close waits for Redis, forever while it is down); a run whose completion Redis did
   * not record is run again later, which the work allows.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.pause(true); // takes no further job
    await this.running;
    await this.worker?.close(true);
    await this.queue?.close();
  }
}
