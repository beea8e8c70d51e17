import type { Pool } from 'pg';
import type { EventStore } from '../event-store/event-store.port';
import type { Projection } from './projection';
import { GenerationRow, listGenerations, liveGeneration } from './projection-registry';

/** A generation with how far it is behind the store. */
export type ProjectionStatus = GenerationRow & {
  /** Events of the projection's types not applied yet. */
  lagEvents: number;
  /** Age of the oldest event not applied yet (while built by stream, of the oldest event); 0 when caught up. */
  lagSeconds: number;
};

/** Every generation that is live or being built, with its lag behind the store. */
export async function projectionStatus(pool: Pool, store: EventStore, projections: readonly Projection[]): Promise<ProjectionStatus[]> {
  const statuses: ProjectionStatus[] = [];
  const now = Date.now();
  for (const projection of projections) {
    const filter = { eventTypes: projection.eventTypes };
    for (const generation of await listGenerations(pool, projection.name)) {
      if (generation.state === 'retired') continue;
      const from = generation.checkpoint === 0n ? undefined : generation.checkpoint;
      let oldest: Date | undefined;
      for await (const event of store.readAll({ fromPosition: from, filter, maxCount: 1 })) oldest = event.recordedAt;
      // Built by stream, it has applied events across the whole range its checkpoint starts:
      // the count left is the range's less those, and the oldest event may be among them.
      const applied = generation.byStream ? Number(generation.eventsApplied) : 0;
      statuses.push({
        ...generation,
        lagEvents: oldest ? (await store.countEvents({ fromPosition: from, filter })) - applied : 0,
        lagSeconds: oldest ? Math.max(0, (now - oldest.getTime()) / 1000) : 0,
      });
    }
  }
  return statuses;
}

/**
 * Read-your-writes: resolves true once every live projection has applied every event of its
 * types up to `position` (a mutation's answer), false when `timeoutMs` passes first.
 */
export async function waitForPosition(
  pool: Pool,
  store: EventStore,
  projections: readonly Projection[],
  position: bigint,
  { timeoutMs = 5000, pollMs = 20 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...projections];
  for (;;) {
    const stillBehind: Projection[] = [];
    // Until the store itself shows `position`, "no event of my types" proves nothing.
    const visible = (await store.headPosition()) >= position;
    for (const projection of waiting) {
      const live = await liveGeneration(pool, projection.name);
      if (live && live.checkpoint >= position) continue;
      // A projection whose types have no event up to `position` has nothing to wait for.
      let next: bigint | undefined;
      const from = live && live.checkpoint > 0n ? live.checkpoint : undefined;
      for await (const event of store.readAll({ fromPosition: from, filter: { eventTypes: projection.eventTypes }, maxCount: 1 })) {
        next = event.position;
      }
      if (live && visible && (next === undefined || next > position)) continue;
      stillBehind.push(projection);
    }
    if (stillBehind.length === 0) return true;
    if (Date.now() >= deadline) return false;
    waiting = stillBehind;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
