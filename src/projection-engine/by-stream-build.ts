import type { Pool } from 'pg';
import type { EventStore, RecordedEvent, StreamCursor } from '../event-store/event-store.port';
import type { PreparedBatch, Projection } from './projection';
import { DEFAULT_BATCH_SIZE, prepareAhead, RunOptions } from './generation-runner';
import {
  applyStreamBatch,
  finishByStream,
  GenerationRow,
  getGeneration,
  recordHandlerBug,
  startByStream,
} from './projection-registry';

/**
 * The first part of building a generation of a per-stream projection (Projection.perStream),
 * when the store can read by stream: every event up to the store's head, grouped by stream. A
 * batch then holds whole histories, so each row is written once with its final content. In
 * position order an order's events lie weeks apart, in different batches, and order detail read
 * back and rewrote an order's fold at each of them: half of its rebuild.
 *
 * Each batch commits with the last event it applied (the generation's by-stream cursor), so a
 * build stopped anywhere goes on where it stopped. At the end the generation's checkpoint
 * becomes the head it read up to, and the build goes on from there in position order.
 * Returns the generation as it stands: still by stream if aborted, retired if replaced.
 */
export async function buildByStream(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  generation: number,
  options: Pick<RunOptions, 'batchSize' | 'signal' | 'onBatch'> = {},
): Promise<GenerationRow> {
  let row = await getGeneration(pool, projection.name, generation);
  if (!store.readByStream || !projection.perStream || row.state !== 'building') return row;
  if (!row.byStream) {
    // Begun in position order (or by stream, and finished): go on as it was.
    if (row.checkpoint !== 0n || row.eventsApplied !== 0n) return row;
    const head = await store.headPosition();
    if (head === 0n) return row;
    row = await startByStream(pool, projection, generation, head);
    if (!row.byStream) return row;
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let after: StreamCursor | null = row.byStream.after;
  const events = store.readByStream({
    toPosition: row.byStream.toPosition,
    after: after ?? undefined,
    filter: { eventTypes: projection.eventTypes },
  })[Symbol.asyncIterator]();

  // Each batch is gathered and prepared while the one before it is being written, as runGeneration does.
  const gather = async (applying?: { prepared?: PreparedBatch; done: Promise<unknown> }) => {
    const batch: RecordedEvent[] = [];
    while (batch.length < batchSize) {
      const next = await events.next();
      if (next.done) break;
      batch.push(next.value);
    }
    if (applying && !applying.prepared) await applying.done;
    return { batch, prepared: await prepareAhead(pool, projection, generation, batch, applying?.prepared) };
  };
  let next = gather();
  try {
    for (;;) {
      const { batch, prepared } = await next;
      if (batch.length === 0) return await finishByStream(pool, projection, generation);
      if (options.signal?.aborted) return row;
      const applying = applyStreamBatch(pool, projection, generation, batch, after, prepared);
      next = gather({ prepared, done: applying.catch(() => undefined) });
      next.catch(() => undefined); // left behind if this build ends first
      row = await applying;
      if (row.state === 'retired') return row;
      const last = batch[batch.length - 1];
      if (row.byStream?.after?.stream !== last.stream || row.byStream.after.revision !== last.revision) {
        throw new Error(`projection ${projection.name} generation ${generation} is being built by stream by another process`);
      }
      after = row.byStream.after;
      options.onBatch?.(row, batch);
    }
  } catch (error) {
    await recordHandlerBug(pool, projection.name, generation, error);
    throw error;
  } finally {
    await events.return?.();
  }
}
