import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { PreparedBatch, Projection, tableNames } from './projection';
import { applyBatch, GenerationRow, getGeneration, recordHandlerBug } from './projection-registry';

/**
 * Events applied per transaction at most. Only catching up fills a batch (following live, a
 * batch closes after flushMs); there a larger one spreads each transaction's fixed cost over more
 * events, 10% faster at 5,000 than at 2,000, for some ten megabytes of events held per projection.
 */
export const DEFAULT_BATCH_SIZE = 5000;

export interface RunOptions {
  batchSize?: number;
  /**
   * How long a partial batch waits for a further event before it is applied; also how long a run
   * waits for an event before onLive.
   */
  flushMs?: number;
  /** How long after its first event a batch is applied at the latest, however steadily events keep coming; 10 × flushMs unless set. */
  maxBatchAgeMs?: number;
  signal?: AbortSignal;
  onBatch?: (generation: GenerationRow, batch: readonly RecordedEvent[]) => void;
  /**
   * Called whenever the run is following live rather than catching up: after a batch closed by
   * its flush time instead of its size, and when no event came for flushMs. Return 'stop' to
   * end the run; a builder uses it to swap itself in once the store confirms it is level.
   */
  onLive?: (generation: GenerationRow) => Promise<'stop' | 'continue'>;
}

export type RunOutcome = 'stopped' | 'retired' | 'live-stop';

const TIMEOUT = Symbol('timeout');

/**
 * A batch prepared ahead, reading through the pool beside the previous batch's rows; undefined
 * when the projection does not prepare, or preparing failed (applying the batch then names the
 * event that fails).
 */
export async function prepareAhead(
  pool: Pool,
  projection: Projection,
  generation: number,
  batch: readonly RecordedEvent[],
  previous: PreparedBatch | undefined,
): Promise<PreparedBatch | undefined> {
  if (!projection.prepareBatch || batch.length < 2) return undefined;
  try {
    return await projection.prepareBatch(batch, { db: pool, previous, ...tableNames(projection, generation) });
  } catch {
    return undefined;
  }
}

/**
 * True when the store holds at most `slack` events of the projection's types after the
 * checkpoint. A generation built while traffic goes on is never exactly caught up when it looks
 * (the next event is already stored while its notification travels), so a swap asks for
 * "a handful behind", which the live runner then applies like any other new events.
 */
export async function isCaughtUp(store: EventStore, projection: Projection, checkpoint: bigint, slack = 0): Promise<boolean> {
  let behind = 0;
  for await (const _ of store.readAll({ fromPosition: checkpoint, filter: { eventTypes: projection.eventTypes }, maxCount: slack + 1 })) {
    if (++behind > slack) return false;
  }
  return true;
}

/**
 * Follows the store from one generation's checkpoint (catch-up, then live) and applies events
 * in batches, each in one transaction with the checkpoint. Returns when aborted, when the
 * generation is retired (a rebuild replaced it) or when onLive says stop; a handler error is
 * thrown as ProjectionHandlerError after the batch was rolled back.
 */
export async function runGeneration(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  generation: number,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const flushMs = options.flushMs ?? 25;
  const maxBatchAgeMs = Math.max(options.maxBatchAgeMs ?? 10 * flushMs, flushMs);
  let row = await getGeneration(pool, projection.name, generation);
  if (row.state === 'retired') return 'retired';

  const subscription = store.subscribe({
    fromPosition: row.checkpoint === 0n ? undefined : row.checkpoint,
    filter: { eventTypes: projection.eventTypes },
  });
  // Closing ends a wait for the next event (the port's contract), so abort needs no promise of
  // its own in every race below: a long-lived promise raced once per event would keep a
  // reaction per event until the run ends, a leak in a projector that runs for months.
  const closeOnAbort = () => void subscription.close();
  options.signal?.addEventListener('abort', closeOnAbort, { once: true });
  const iterator = subscription[Symbol.asyncIterator]();
  let pending = iterator.next();

  /**
   * The next batch from the subscription, prepared if the projection can, while `applying` (the
   * batch before) is written. Preparing reads committed rows, so it waits for that batch to
   * commit unless the batch was prepared too and so says which rows it leaves. Undefined once the
   * subscription has ended.
   */
  const gather = async (
    applying?: { prepared?: PreparedBatch; done: Promise<unknown> },
  ): Promise<{ batch: RecordedEvent[]; prepared?: PreparedBatch } | undefined> => {
    const batch: RecordedEvent[] = [];
    // A batch is applied once no event has come for flushMs, so catching up, where the next
    // page of events is always a few milliseconds away, fills whole batches; timing from the
    // first event cut them at whatever 25 ms of reading brought (about 2,400 events instead
    // of 5,000, and rows that several events change written once per batch). A steady trickle
    // is still applied maxBatchAgeMs after its first event at the latest. One timer per batch,
    // not per event: a rebuild takes millions of events through here.
    let timer: NodeJS.Timeout | undefined;
    let fired = false;
    const arm = () =>
      new Promise<typeof TIMEOUT>((resolve) => {
        fired = false;
        timer = setTimeout(() => {
          fired = true;
          resolve(TIMEOUT);
        }, flushMs);
      });
    let flushed = arm();
    let waitUntil = Infinity;
    try {
      while (batch.length < batchSize) {
        let next = await Promise.race([pending, flushed]);
        // Timers run before I/O in each turn of the event loop, so a timer that came due while
        // Node was busy (preparing, writing, collecting garbage) fires before a page that arrived
        // meanwhile is read: it timed Node's work, not an idle store. One turn of I/O tells the
        // two apart; without it, catch-up batches were cut at 3,300 events instead of 5,000.
        if (next === TIMEOUT && Date.now() < waitUntil) next = await Promise.race([pending, nextTurn().then((): typeof TIMEOUT => TIMEOUT)]);
        if (next === TIMEOUT) break;
        if (next.done) return undefined;
        if (batch.length === 0) waitUntil = Date.now() + maxBatchAgeMs - flushMs;
        if (Date.now() < waitUntil) {
          if (fired) flushed = arm();
          else timer!.refresh();
        }
        batch.push(next.value);
        pending = iterator.next();
      }
    } finally {
      clearTimeout(timer);
    }
    if (applying && !applying.prepared) await applying.done;
    return { batch, prepared: await prepareAhead(pool, projection, generation, batch, applying?.prepared) };
  };

  // Each batch is gathered and prepared while the one before it is being written.
  let next = gather();
  try {
    while (!options.signal?.aborted) {
      const gathered = await next;
      if (!gathered) return 'stopped';
      const { batch, prepared } = gathered;
      const applying = batch.length > 0 ? applyBatch(pool, projection, generation, batch, prepared) : undefined;
      next = gather(applying && { prepared, done: applying.catch(() => undefined) });
      // Left behind if this run ends first; the subscription's close settles it.
      next.catch(() => undefined);
      if (applying) {
        row = await applying;
        if (row.state === 'retired') return 'retired';
        options.onBatch?.(row, batch);
      }
      // Under steady traffic a run may never see an empty flush interval, so a short batch counts as live too.
      const live = batch.length < batchSize && !options.signal?.aborted;
      if (live && options.onLive && (await options.onLive(row)) === 'stop') return 'live-stop';
    }
    return 'stopped';
  } catch (error) {
    await recordHandlerBug(pool, projection.name, generation, error);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', closeOnAbort);
    await subscription.close();
  }
}
