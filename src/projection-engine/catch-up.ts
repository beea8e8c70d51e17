import type { Pool } from 'pg';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import type { Projection } from './projection';
import { applyBatch, GenerationRow, getGeneration } from './projection-registry';

export interface CatchUpOptions {
  batchSize?: number;
  /** Called after every committed batch (progress bars, tests). */
  onBatch?: (generation: GenerationRow, batch: readonly RecordedEvent[]) => void;
}

/**
 * Applies every event of the projection's types after the generation's checkpoint, in batches,
 * until the store has no more; returns the generation as it then stands. For tests, which want
 * a read model brought up to date and nothing more; the projector and the rebuild CLI run
 * generations with runGeneration, which follows a subscription and prepares batches ahead.
 */
export async function catchUp(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  generation: number,
  options: CatchUpOptions = {},
): Promise<GenerationRow> {
  const batchSize = options.batchSize ?? 1000;
  let row = await getGeneration(pool, projection.name, generation);
  let batch: RecordedEvent[] = [];
  const flush = async () => {
    row = await applyBatch(pool, projection, generation, batch);
    options.onBatch?.(row, batch);
    batch = [];
  };
  const from = row.checkpoint === 0n ? undefined : row.checkpoint;
  for await (const event of store.readAll({ fromPosition: from, filter: { eventTypes: projection.eventTypes } })) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
    if (row.state === 'retired') return row;
  }
  if (batch.length > 0) await flush();
  return row;
}
