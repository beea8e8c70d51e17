import type { Pool } from 'pg';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { isTransientDatabaseError } from '../postgres/transient-error';
import type { Projection } from './projection';
import { applyBatch, GenerationRow, getGeneration, ProjectionHandlerError, recordFailure } from './projection-registry';

export interface RunOptions {
  batchSize?: number;
  /** How long a partial batch waits for more events before it is applied. */
  flushMs?: number;
  signal?: AbortSignal;
  onBatch?: (generation: GenerationRow, batch: readonly RecordedEvent[]) => void;
  /**
   * Called when no event arrived for flushMs. Return 'stop' to end the run; a builder uses it
   * to swap itself in once the store confirms nothing is left.
   */
  onIdle?: (generation: GenerationRow) => Promise<'stop' | 'continue'>;
}

export type RunOutcome = 'stopped' | 'retired' | 'idle-stop';

const TIMEOUT = Symbol('timeout');

/** True when the store holds no event of the projection's types after the checkpoint. */
export async function isCaughtUp(store: EventStore, projection: Projection, checkpoint: bigint): Promise<boolean> {
  for await (const _ of store.readAll({ fromPosition: checkpoint, filter: { eventTypes: projection.eventTypes }, maxCount: 1 })) {
    return false;
  }
  return true;
}

/**
 * Follows the store from one generation's checkpoint (catch-up, then live) and applies events
 * in batches, each in one transaction with the checkpoint. Returns when aborted, when the
 * generation is retired (a rebuild replaced it) or when onIdle says stop; a handler error is
 * thrown as ProjectionHandlerError after the batch was rolled back.
 */
export async function runGeneration(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  generation: number,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const batchSize = options.batchSize ?? 500;
  const flushMs = options.flushMs ?? 25;
  let row = await getGeneration(pool, projection.name, generation);
  if (row.state === 'retired') return 'retired';

  const subscription = store.subscribe({
    fromPosition: row.checkpoint === 0n ? undefined : row.checkpoint,
    filter: { eventTypes: projection.eventTypes },
  });
  const iterator = subscription[Symbol.asyncIterator]();
  const aborted = new Promise<typeof TIMEOUT>((resolve) => options.signal?.addEventListener('abort', () => resolve(TIMEOUT)));
  let pending = iterator.next();
  try {
    while (!options.signal?.aborted) {
      const batch: RecordedEvent[] = [];
      while (batch.length < batchSize) {
        let timer: NodeJS.Timeout | undefined;
        const next = await Promise.race([
          pending,
          aborted,
          new Promise<typeof TIMEOUT>((resolve) => {
            timer = setTimeout(() => resolve(TIMEOUT), flushMs);
          }),
        ]).finally(() => clearTimeout(timer));
        if (next === TIMEOUT) break;
        if (next.done) return 'stopped';
        batch.push(next.value);
        pending = iterator.next();
      }
      if (batch.length > 0) {
        row = await applyBatch(pool, projection, generation, batch);
        if (row.state === 'retired') return 'retired';
        options.onBatch?.(row, batch);
      } else if (!options.signal?.aborted && options.onIdle && (await options.onIdle(row)) === 'stop') {
        return 'idle-stop';
      }
    }
    return 'stopped';
  } catch (error) {
    // Status shows the stop and the event until a restart clears it; a database hiccup is retried, not recorded.
    if (error instanceof ProjectionHandlerError && !isTransientDatabaseError(error.cause)) {
      await recordFailure(pool, projection.name, generation, error).catch(() => undefined);
    }
    throw error;
  } finally {
    await subscription.close();
  }
}
