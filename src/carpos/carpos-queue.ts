import { Queue, Worker } from 'bullmq';
import type { Pool } from 'pg';
import { sendableTransactions } from '../../projections/carpos-transactions/carpos-transactions.query';
import { bullConnection } from '../queue/bull-connection';
import type { CarposJob } from './carpos-transaction';
import type { CarposSender } from './carpos-sender';

export interface CarposQueueSettings {
  redisUrl: string;
  queueName: string;
  /** Tries per transaction while DOJ is unreachable, then the job is failed for operations to see. */
  attempts: number;
  /** First wait after a failed try; doubles with each further one. */
  backoffMs: number;
}

export type CarposQueue = Queue<CarposJob>;

const UNDEFINED_TABLE = '42P01';

export function openCarposQueue(settings: CarposQueueSettings): CarposQueue {
  return new Queue<CarposJob>(settings.queueName, {
    connection: bullConnection(settings.redisUrl),
    defaultJobOptions: {
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
      // Kept a day, so a transaction whose answer the read model has not shown yet is not
      // enqueued again meanwhile; failed jobs stay until operations retry or remove them.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: false,
    },
  });
}

/**
 * Moves what the dispatcher projection holds into the queue: each order's oldest pending
 * transaction becomes one job whose id is its TCN (BullMQ refuses a second job with that id
 * while the first exists). Because the projection, not Redis, is the record of what is
 * pending, a job lost with Redis is simply enqueued again, and a restart loses nothing.
 */
export class CarposRelay {
  /** TCNs this process has seen in the queue, and when: Redis is asked again only after `verifyMs`. */
  private readonly seen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly queue: CarposQueue,
    private readonly options: { pollMs: number; verifyMs?: number; onError?: (error: Error) => void },
  ) {}

  /**
   * Offers every sendable transaction not offered within `verifyMs` to the queue; returns how
   * many it offered. A TCN already queued (or done and kept) is ignored by BullMQ, so offering
   * again is how a job lost with Redis comes back.
   */
  async relayOnce(now = Date.now()): Promise<number> {
    const verifyMs = this.options.verifyMs ?? 10_000;
    const sendable = await sendableTransactions(this.pool, 5000).catch((error: { code?: string }) => {
      // On a first start the projector has not built the dispatcher's read model yet: nothing to send.
      if (error.code === UNDEFINED_TABLE) return [];
      throw error;
    });
    const offer = sendable.filter(({ tcn }) => now - (this.seen.get(tcn) ?? -Infinity) >= verifyMs);
    if (offer.length > 0) {
      await this.queue.addBulk(
        offer.map(({ tcn, orderId, revision, type }) => ({ name: type, data: { tcn, orderId, revision, type }, opts: { jobId: tcn } })),
      );
    }
    for (const { tcn } of offer) this.seen.set(tcn, now);
    // Forget what is no longer pending, so the map stays the size of the backlog.
    const pending = new Set(sendable.map((row) => row.tcn));
    for (const tcn of this.seen.keys()) if (!pending.has(tcn)) this.seen.delete(tcn);
    return offer.length;
  }

  start(): void {
    const loop = () => {
      this.running = this.relayOnce()
        .then(() => undefined, (error: Error) => this.options.onError?.(error))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, this.options.pollMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

export interface CarposWorkerSettings {
  redisUrl: string;
  queueName: string;
  concurrency: number;
  /** How long a job is locked to a worker; a worker that died is noticed after about this long. */
  lockMs: number;
}

/**
 * Sends each job's transaction. A thrown error (DOJ unreachable, a timeout) retries the job
 * with backoff; DOJ's answer, accepted or rejected, completes it: a rejection is final.
 */
export function startCarposWorker(sender: CarposSender, settings: CarposWorkerSettings): Worker<CarposJob> {
  return new Worker<CarposJob>(settings.queueName, (job) => sender.send(job.data), {
    connection: bullConnection(settings.redisUrl),
    concurrency: settings.concurrency,
    lockDuration: settings.lockMs,
    stalledInterval: Math.max(1000, Math.floor(settings.lockMs / 2)),
    // A worker killed mid-send leaves the job stalled; it is retried, not failed, however often workers die.
    maxStalledCount: 1000,
  });
}
