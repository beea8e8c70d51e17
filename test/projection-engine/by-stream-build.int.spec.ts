import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { buildByStream } from '../../src/projection-engine/by-stream-build';
import type { Projection } from '../../src/projection-engine/projection';
import {
  applyBatch,
  applyStreamBatch,
  createGeneration,
  getGeneration,
  ProjectionHandlerError,
} from '../../src/projection-engine/projection-registry';
import { buildAndSwap } from '../../src/projection-engine/projector';
import { projectionStatus } from '../../src/projection-engine/projection-status';
import { newEvent } from '../event-store/event-store.conformance';
import type { TestDatabase } from '../support/postgres';
import { projectionDatabaseEachTest } from '../support/projection-database';
import { batchTally, tally, tallyCounts } from '../support/tally-projection';

// The tally knows replays by each stream's last position, which grows with its revision: per stream.
const streamTally: Projection = { ...tally, perStream: true };

describe('building a generation by stream', () => {
  const setup = projectionDatabaseEachTest({ batchSize: 5 });

  /** Appends `count` Counted events spread over ten streams (and other types between), returning the expected tally. */
  async function appendCounted(count: number, expected: Record<string, number> = {}): Promise<Record<string, number>> {
    for (let i = 0; i < count; i++) {
      const stream = `s${(i * 7) % 10}`;
      await setup.store.append(stream, [newEvent('Counted'), ...(i % 4 === 0 ? [newEvent('Other')] : [])], 'any');
      expected[stream] = (expected[stream] ?? 0) + 1;
    }
    return expected;
  }

  it('reads whole streams up to the head, stops and resumes without losing or doubling one, then goes on in position order', async () => {
    const expected = await appendCounted(120);
    const head = await setup.store.headPosition();
    const { generation } = await createGeneration(setup.db.pool, streamTally);
    const stop = new AbortController();
    let batches = 0;
    const stopped = await buildByStream(setup.db.pool, setup.store, streamTally, generation, {
      batchSize: 7,
      signal: stop.signal,
      onBatch: () => ++batches === 3 && stop.abort(),
    });
    expect(stopped.byStream?.toPosition).toBe(head);
    expect(stopped.checkpoint).toBe(0n);
    expect(stopped.eventsApplied).toBe(21n);
    // Grouped by stream: the 21 events are whole streams (12 events each) and the start of the one the cursor is in.
    const counted = await countsOf(setup.db, generation);
    expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(21);
    const whole = Object.keys(counted).filter((stream) => stream !== stopped.byStream!.after!.stream);
    expect(whole).toHaveLength(1);
    for (const stream of whole) expect(counted[stream]).toBe(expected[stream]);

    const [status] = await projectionStatus(setup.db.pool, setup.store, [streamTally]);
    expect(status.lagEvents).toBe(120 - 21);

    // A position batch may not be applied in between; a batch read after an older cursor is one applied already.
    await expect(applyBatch(setup.db.pool, streamTally, generation, [{ ...(await firstCounted()), position: head + 1n }, await firstCounted()])).rejects.toThrow(
      /being built by stream/,
    );
    const again = await applyStreamBatch(setup.db.pool, streamTally, generation, [await firstCounted(), await firstCounted()], null);
    expect(again.eventsApplied).toBe(21n);

    await appendCounted(30, expected); // after the head: applied in position order
    const live = await buildAndSwap(setup.db.pool, setup.store, streamTally, { generation: await getGeneration(setup.db.pool, 'tally', generation), batchSize: 7, flushMs: 5 });
    expect(live?.state).toBe('live');
    expect(live?.byStream).toBeNull();
    expect(live?.eventsApplied).toBe(150n);
    expect(live?.checkpoint).toBe(await setup.store.headPosition());
    expect(await tallyCounts(setup.db.pool)).toEqual(expected);
  });

  it('stops at a poison event, naming it, with the events before it applied', async () => {
    const expected = await appendCounted(20);
    await setup.store.append('zz-poisoned', [newEvent('Counted'), newEvent('Counted', { poison: true })], 'no_stream');
    // Set-based, so the failing batch is applied again event by event to find the culprit.
    const batches: Projection = { ...batchTally, perStream: true };
    const { generation } = await createGeneration(setup.db.pool, batches);
    const failed = buildByStream(setup.db.pool, setup.store, batches, generation, { batchSize: 6 });
    await expect(failed).rejects.toBeInstanceOf(ProjectionHandlerError);
    await expect(failed).rejects.toThrow(/zz-poisoned revision 1/);
    const row = await getGeneration(setup.db.pool, 'tally', generation);
    expect(row.error).toMatch(/cannot count this/);
    expect(row.byStream?.after).toEqual({ stream: 'zz-poisoned', revision: 0n });
    expect(await countsOf(setup.db, generation)).toEqual({ ...expected, 'zz-poisoned': 1 });
  });

  it('leaves a projection that is not per stream, and a store that cannot read by stream, to position order', async () => {
    await appendCounted(10);
    const { generation } = await createGeneration(setup.db.pool, tally);
    const row = await buildByStream(setup.db.pool, setup.store, tally, generation);
    expect(row.byStream).toBeNull();
    expect(row.eventsApplied).toBe(0n);
    const positionOnly = Object.assign(Object.create(setup.store) as PostgresEventStore, { readByStream: undefined });
    const other = await createGeneration(setup.db.pool, { ...streamTally, name: 'tally_other' });
    expect((await buildByStream(setup.db.pool, positionOnly, { ...streamTally, name: 'tally_other' }, other.generation)).eventsApplied).toBe(0n);
  });

  async function firstCounted() {
    for await (const event of setup.store.readAll({ filter: { eventTypes: ['Counted'] }, maxCount: 1 })) return event;
    throw new Error('no events');
  }
});

async function countsOf(db: TestDatabase, generation: number): Promise<Record<string, number>> {
  const { rows } = await db.pool.query(`SELECT stream, events FROM tally_streams_g${generation} ORDER BY stream`);
  return Object.fromEntries(rows.map((r) => [r.stream, r.events]));
}
