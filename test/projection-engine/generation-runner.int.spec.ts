import type { EventStore, SubscribeOptions, Subscription } from '../../src/event-store/event-store.port';
import { runGeneration, RunOptions } from '../../src/projection-engine/generation-runner';
import { PreparedBatch, prepareAndWrite, Projection } from '../../src/projection-engine/projection';
import { createGeneration, ProjectionHandlerError, swapLive } from '../../src/projection-engine/projection-registry';
import { newEvent } from '../event-store/event-store.conformance';
import { projectionDatabaseEachTest } from '../support/projection-database';
import { tally, tallyCounts } from '../support/tally-projection';

/** The tally, prepared ahead: counting in prepareBatch, one insert in the writes. */
function preparedTally(hooks: { prepared?: (size: number) => void; writing?: () => Promise<void>; written?: () => void } = {}): Projection {
  const prepareBatch = async (events: Parameters<NonNullable<Projection['prepareBatch']>>[0]): Promise<PreparedBatch> => {
    if (events.some((event) => event.data.poison)) throw new Error('cannot count this batch');
    const perStream = new Map<string, { events: number; last: bigint }>();
    for (const event of events) perStream.set(event.stream, { events: (perStream.get(event.stream)?.events ?? 0) + 1, last: event.position });
    hooks.prepared?.(events.length);
    const write: PreparedBatch['write'] = async ({ db, table }) => {
      await hooks.writing?.();
      await db.query(
        `INSERT INTO ${table('streams')} (stream, events, last_position)
         SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
         ON CONFLICT (stream) DO UPDATE SET events = ${table('streams')}.events + excluded.events, last_position = excluded.last_position`,
        [[...perStream.keys()], [...perStream.values()].map((v) => v.events), [...perStream.values()].map((v) => v.last.toString())],
      );
      hooks.written?.();
    };
    return { write };
  };
  return { ...tally, prepareBatch, handle: async (ctx, event) => (event.data.poison ? tally.handle(ctx, event) : (await prepareBatch([event])).write(ctx)) };
}

/**
 * A tally that reads each stream's count while preparing and writes the new count: right only if
 * preparing takes the counts the batch before is still writing from `previous`, not the table.
 */
const readingTally: Projection = {
  ...tally,
  name: 'tally',
  handle: (ctx, event) => prepareAndWrite(readingTally, ctx, [event]),
  async prepareBatch(events, { db, table, previous }) {
    const counts = new Map<string, number>();
    const streams = [...new Set(events.map((event) => event.stream))];
    const { rows } = await db.query(`SELECT stream, events FROM ${table('streams')} WHERE stream = ANY($1::text[])`, [streams]);
    for (const row of rows) counts.set(row.stream, row.events);
    for (const stream of streams) if (previous?.rows?.has(stream)) counts.set(stream, previous.rows.get(stream) as number);
    const changed = new Map<string, number>();
    for (const event of events) changed.set(event.stream, (changed.get(event.stream) ?? counts.get(event.stream) ?? 0) + 1);
    return {
      rows: changed,
      async write(ctx) {
        await ctx.db.query(
          `INSERT INTO ${ctx.table('streams')} (stream, events, last_position) SELECT s, n, 0 FROM unnest($1::text[], $2::int[]) AS t(s, n)
           ON CONFLICT (stream) DO UPDATE SET events = excluded.events`,
          [[...changed.keys()], [...changed.values()]],
        );
      },
    };
  },
};

describe('running a generation with batches prepared ahead', () => {
  const setup = projectionDatabaseEachTest();

  const runToEnd = async (projection: Projection) => {
    const { generation } = await createGeneration(setup.db.pool, projection);
    await swapLive(setup.db.pool, projection, generation);
    return runGeneration(setup.db.pool, setup.store, projection, generation, { batchSize: 10, flushMs: 50, onLive: async () => 'stop' });
  };

  it('prepares the next batch while the one before it is being written, and counts every event once', async () => {
    for (let i = 0; i < 30; i++) await setup.store.append(`s${i % 3}`, [newEvent('Counted')], 'any');
    const log: string[] = [];
    let secondPrepared: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondPrepared = resolve));
    const projection = preparedTally({
      prepared: (size) => {
        log.push(`prepared ${size}`);
        if (log.filter((entry) => entry.startsWith('prepared')).length === 2) secondPrepared();
      },
      // The first batch's writes wait (at most a second) for the second batch to be prepared.
      writing: async () => {
        if (!log.includes('written')) await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 1000))]);
      },
      written: () => log.push('written'),
    });
    expect(await runToEnd(projection)).toBe('live-stop');
    expect(log.slice(0, 3)).toEqual(['prepared 10', 'prepared 10', 'written']);
    expect(await tallyCounts(setup.db.pool)).toEqual({ s0: 10, s1: 10, s2: 10 });
  });

  it('prepares from what earlier batches committed and what the batch before is still writing', async () => {
    for (let i = 0; i < 60; i++) await setup.store.append(`s${i % 3}`, [newEvent('Counted')], 'any');
    expect(await runToEnd(readingTally)).toBe('live-stop');
    expect(await tallyCounts(setup.db.pool)).toEqual({ s0: 20, s1: 20, s2: 20 });
  });

  it('names the event when preparing its batch fails, keeping the events before it', async () => {
    await setup.store.append('a', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    await setup.store.append('b', [newEvent('Counted', { poison: true }), newEvent('Counted')], 'no_stream');
    const error = await runToEnd(preparedTally()).catch((e) => e);
    expect(error).toBeInstanceOf(ProjectionHandlerError);
    expect(error.event).toMatchObject({ stream: 'b', revision: 0n });
    expect(await tallyCounts(setup.db.pool)).toEqual({ a: 2 });
  });

  describe('how batches close', () => {
    /** The store as a slow catch-up sees it: pages of 10 events, each after `wait` (15 ms unless told). */
    const pagedStore = (wait = () => new Promise((resolve) => setTimeout(resolve, 15))): EventStore =>
      Object.assign(Object.create(setup.store) as EventStore, {
        subscribe(options?: SubscribeOptions): Subscription {
          const inner = setup.store.subscribe(options);
          return {
            close: () => inner.close(),
            async *[Symbol.asyncIterator]() {
              let n = 0;
              for await (const event of inner) {
                if (n++ % 10 === 0) await wait();
                yield event;
              }
            },
          };
        },
      });
    const batchSizes = async (options: RunOptions, store = pagedStore()) => {
      for (let i = 0; i < 150; i++) await setup.store.append(`s${i % 3}`, [newEvent('Counted')], 'any');
      const { generation } = await createGeneration(setup.db.pool, tally);
      await swapLive(setup.db.pool, tally, generation);
      const sizes: number[] = [];
      await runGeneration(setup.db.pool, store, tally, generation, {
        ...options,
        onBatch: (_, batch) => sizes.push(batch.length),
        onLive: async () => (sizes.reduce((a, b) => a + b, 0) === 150 ? 'stop' : 'continue'),
      });
      expect(await tallyCounts(setup.db.pool)).toEqual({ s0: 50, s1: 50, s2: 50 });
      return sizes;
    };

    it('fills whole batches while catching up, however long reading a batch takes', async () => {
      // Reading 50 events takes about 75 ms here, longer than the flush interval.
      expect(await batchSizes({ batchSize: 50, flushMs: 40, maxBatchAgeMs: 60_000 })).toEqual([50, 50, 50]);
    });

    it('is not cut short by Node being busy while the next page arrives', async () => {
      // Each page is a round trip to PostgreSQL, and in every 100 ms something else holds the
      // event loop for 60 ms after its own query answered (as preparing a batch does): the flush
      // timer comes due during the hold, with the page already there.
      const store = pagedStore(() => setup.db.pool.query('SELECT pg_sleep(0.005)'));
      const hold = () => {
        const until = Date.now() + 60;
        while (Date.now() < until);
      };
      const busy = setInterval(() => void setup.db.pool.query('SELECT 1').then(hold), 100);
      try {
        expect(await batchSizes({ batchSize: 50, flushMs: 40, maxBatchAgeMs: 60_000 }, store)).toEqual([50, 50, 50]);
      } finally {
        clearInterval(busy);
      }
    });

    it('applies a batch at its greatest age even while events keep coming', async () => {
      const sizes = await batchSizes({ batchSize: 1000, flushMs: 40, maxBatchAgeMs: 100 });
      expect(sizes.length).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThan(150);
    });
  });
});
