import type { Pool } from 'pg';
import type { EventStore } from '../event-store/event-store.port';
import type { Projection } from './projection';
import { isCaughtUp, runGeneration, RunOptions } from './generation-runner';
import { buildByStream } from './by-stream-build';
import { isTransientDatabaseError } from '../postgres/transient-error';
import {
  analyzeGeneration,
  createGeneration,
  ensureRegistrySchema,
  GenerationRow,
  getGeneration,
  indexGeneration,
  listGenerations,
  liveGeneration,
  isHandlerBug,
  swapLive,
} from './projection-registry';

export interface ProjectorOptions extends Pick<RunOptions, 'batchSize' | 'flushMs'> {
  /** How often a standby instance tries to take over a projection. */
  standbyPollMs?: number;
  /** First wait before a projection tries again after a database error; doubles up to 30 s. */
  retryMinMs?: number;
  log?: (message: string) => void;
}

const RETRY_MAX_MS = 30_000;
/** How far behind the store a new generation may be when it is indexed and swapped in: under steady traffic it is never exactly level. */
const SWAP_SLACK_EVENTS = 50;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Builds a new generation from position zero beside whatever is live (by stream first, where
 * projection and store allow: buildByStream), and swaps it in once the store confirms it is level (within SWAP_SLACK_EVENTS, which the live runner then applies).
 * Used when the code's version changed and by `rebuild`.
 */
export async function buildAndSwap(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  options: RunOptions & { generation?: GenerationRow } = {},
): Promise<GenerationRow | undefined> {
  const building = options.generation ?? (await createGeneration(pool, projection));
  const grouped = await buildByStream(pool, store, projection, building.generation, options);
  if (grouped.byStream || grouped.state !== 'building') return undefined; // aborted, or replaced
  let analysed = false;
  const outcome = await runGeneration(pool, store, projection, building.generation, {
    ...options,
    onLive: async (row) => {
      if (!(await isCaughtUp(store, projection, row.checkpoint, SWAP_SLACK_EVENTS))) return 'continue';
      if (!analysed) {
        // Index and analyse once, outside the swap's transaction, then catch up on what arrived
        // meanwhile: queries are planned with statistics from the first one after the swap.
        await indexGeneration(pool, projection, row.generation);
        await analyzeGeneration(pool, projection, row.generation);
        analysed = true;
        return 'continue';
      }
      await swapLive(pool, projection, row.generation);
      return 'stop';
    },
  });
  return outcome === 'live-stop' ? getGeneration(pool, projection.name, building.generation) : undefined;
}

/**
 * Runs every projection, each in its own loop: one active instance per projection across all
 * processes (a session advisory lock; others wait as hot standby), a generation built beside
 * the live one when the code's version changed, database hiccups retried with backoff, and a
 * projection whose handler fails stopped, with the failing event named, while the others go on.
 */
export class Projector {
  private readonly controller = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly active = new Set<string>();
  private readonly failures = new Map<string, Error>();
  private readonly log: (message: string) => void;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    await ensureRegistrySchema(this.pool);
    for (const projection of this.projections) this.loops.push(this.supervise(projection));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
  }

  /** Projections this instance is running now (it holds their lock). */
  activeProjections(): string[] {
    return [...this.active].sort();
  }

  failure(name: string): Error | undefined {
    return this.failures.get(name);
  }

  private async supervise(projection: Projection): Promise<void> {
    const signal = this.controller.signal;
    let retryMs = this.options.retryMinMs ?? 500;
    while (!signal.aborted) {
      try {
        await this.runWhileActive(projection, signal);
        return;
      } catch (error) {
        // A handler's bug stops the projection, saying which event; anything else heals by trying again.
        if (isHandlerBug(error)) {
          this.failures.set(projection.name, error);
          this.log(`projection ${projection.name} stopped: ${error.message}`);
          return;
        }
        this.log(`projection ${projection.name}: ${(error as Error).message}; trying again in ${retryMs} ms`);
        await sleep(retryMs, signal);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Takes the projection's lock (waiting as standby) and runs it until aborted or an error. */
  private async runWhileActive(projection: Projection, stopping: AbortSignal): Promise<void> {
    const lockClient = await this.pool.connect();
    let broken: Error | undefined;
    // The lock lives as long as this connection: if it dies, a standby may already be active,
    // so this run must stop at once (the retry takes the lock again on a fresh connection).
    const lockLost = new AbortController();
    const onLockError = (error: Error) => {
      broken = error;
      lockLost.abort();
    };
    lockClient.on('error', onLockError);
    const signal = AbortSignal.any([stopping, lockLost.signal]);
    try {
      // Session lock: held while this connection lives, released if the process dies.
      while (!signal.aborted) {
        const { rows } = await lockClient.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`projection:${projection.name}`]);
        if (rows[0].ok) break;
        await sleep(this.options.standbyPollMs ?? 1000, signal);
      }
      if (signal.aborted) return;
      this.active.add(projection.name);
      this.log(`projection ${projection.name}: active`);
      while (!signal.aborted) {
        const live = await liveGeneration(this.pool, projection.name);
        if (!live || live.version !== projection.version) {
          const building = (await listGenerations(this.pool, projection.name)).find(
            (g) => g.state === 'building' && g.version === projection.version,
          );
          this.log(`projection ${projection.name}: building version ${projection.version} from position zero`);
          await buildAndSwap(this.pool, this.store, projection, { ...this.options, signal, generation: building });
          continue;
        }
        await runGeneration(this.pool, this.store, projection, live.generation, { ...this.options, signal });
      }
      if (broken) throw broken;
    } catch (error) {
      broken ??= error as Error;
      throw error;
    } finally {
      this.active.delete(projection.name);
      lockClient.off('error', onLockError);
      if (!broken) await lockClient.query('SELECT pg_advisory_unlock(hashtext($1))', [`projection:${projection.name}`]).catch(() => undefined);
      // A connection that failed is destroyed rather than handed back to the pool.
      lockClient.release(broken && isTransientDatabaseError(broken) ? broken : undefined);
    }
  }
}
