import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { catchUp } from '../../src/projection-engine/catch-up';
import { buildAndSwap } from '../../src/projection-engine/projector';
import {
  applyBatch,
  createGeneration,
  ensureRegistrySchema,
  getGeneration,
  indexGeneration,
  listGenerations,
  ProjectionHandlerError,
  swapLive,
} from '../../src/projection-engine/projection-registry';
import type { Projection } from '../../src/projection-engine/projection';
import { newEvent } from '../event-store/event-store.conformance';
import { tallyCounts as counts } from '../support/tally-projection';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { batchTally, tally } from '../support/tally-projection';

describe('projection generations and checkpoints', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeEach(async () => {
    db = await createTestDatabase();
    await PostgresEventStore.ensureSchema(db.pool);
    await ensureRegistrySchema(db.pool);
    store = new PostgresEventStore(db.pool);
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it('applies a batch and its checkpoint together, and a redelivered batch changes nothing', async () => {
    await store.append('a', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    const { generation } = await createGeneration(db.pool, tally);
    await swapLive(db.pool, tally, generation);
    const events = [];
    for await (const event of store.readAll()) events.push(event);
    const after = await applyBatch(db.pool, tally, generation, events);
    expect(after.checkpoint).toBe(events[1].position);
    await applyBatch(db.pool, tally, generation, events);
    expect(await counts(db.pool)).toEqual({ a: 2 });
    expect((await listGenerations(db.pool, 'tally'))[0].eventsApplied).toBe(2n);
  });

  it('rolls back the whole batch on a poison event and names the event', async () => {
    await store.append('a', [newEvent('Counted')], 'no_stream');
    await store.append('b', [newEvent('Counted', { poison: true })], 'no_stream');
    const { generation } = await createGeneration(db.pool, tally);
    await swapLive(db.pool, tally, generation);
    const error = await catchUp(db.pool, store, tally, generation).catch((e) => e);
    expect(error).toBeInstanceOf(ProjectionHandlerError);
    expect(error.message).toMatch(/projection tally failed on Counted .* \(b revision 0, position \d+\): cannot count this/);
    expect(await counts(db.pool)).toEqual({});
    expect((await listGenerations(db.pool, 'tally'))[0].checkpoint).toBe(0n);
  });

  it('builds a new generation beside the live one and swaps the views atomically', async () => {
    await store.append('a', [newEvent('Counted')], 'no_stream');
    const first = await createGeneration(db.pool, tally);
    await catchUp(db.pool, store, tally, first.generation);
    await swapLive(db.pool, tally, first.generation);
    await store.append('a', [newEvent('Counted')], 0n);

    const second = await createGeneration(db.pool, tally);
    await catchUp(db.pool, store, tally, second.generation);
    // Until the swap, queries read the old generation, which has not seen the new event.
    expect(await counts(db.pool)).toEqual({ a: 1 });
    await swapLive(db.pool, tally, second.generation);
    expect(await counts(db.pool)).toEqual({ a: 2 });
    const states = (await listGenerations(db.pool, 'tally')).map((g) => [g.generation, g.state]);
    expect(states).toEqual([[1, 'retired'], [2, 'live']]);
    // The retired generation's tables are gone; applying to it is refused quietly.
    expect((await applyBatch(db.pool, tally, first.generation, [])).state).toBe('retired');
    await expect(db.pool.query('SELECT 1 FROM tally_streams_g1')).rejects.toThrow(/does not exist/);
  });

  it('applies a batch set-based when the projection can, with the same result as one by one', async () => {
    for (let i = 0; i < 30; i++) await store.append(`s${i % 4}`, [newEvent('Counted')], 'any');
    const { generation } = await createGeneration(db.pool, batchTally);
    await swapLive(db.pool, batchTally, generation);
    const row = await catchUp(db.pool, store, batchTally, generation, { batchSize: 7 });
    expect(row.eventsApplied).toBe(30n);
    expect(await counts(db.pool)).toEqual({ s0: 8, s1: 8, s2: 7, s3: 7 });
  });

  it('names the poison event inside a failed set-based batch, keeping the events before it', async () => {
    await store.append('a', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    await store.append('b', [newEvent('Counted', { poison: true }), newEvent('Counted')], 'no_stream');
    const { generation } = await createGeneration(db.pool, batchTally);
    await swapLive(db.pool, batchTally, generation);
    const error = await catchUp(db.pool, store, batchTally, generation).catch((e) => e);
    expect(error).toBeInstanceOf(ProjectionHandlerError);
    expect(error.event).toMatchObject({ stream: 'b', revision: 0n });
    expect(await counts(db.pool)).toEqual({ a: 2 });
  });

  const analysed = async (generation: number) =>
    Number(
      (await db.pool.query(`SELECT count(*) AS n FROM pg_stats WHERE schemaname = $1 AND tablename = $2`, [db.schema, `tally_streams_g${generation}`]))
        .rows[0].n,
    ) > 0;

  it('analyses a generation as it grows, from 4,096 events on', async () => {
    await store.append('grows', Array.from({ length: 4095 }, () => newEvent('Counted')), 'no_stream');
    const growing = await createGeneration(db.pool, batchTally);
    await catchUp(db.pool, store, batchTally, growing.generation, { batchSize: 1000 });
    expect(await analysed(growing.generation)).toBe(false); // 4,095 events: not yet
    await store.append('grows', [newEvent('Counted')], 4094n);
    await catchUp(db.pool, store, batchTally, growing.generation);
    expect(await analysed(growing.generation)).toBe(true);
  });

  it('fills a new generation without its query indexes, and indexes and analyses it before the swap', async () => {
    const indexed = {
      ...batchTally,
      createIndexes: ({ table }: { table(name: string): string }) =>
        `CREATE INDEX IF NOT EXISTS ${table('streams')}_by_events ON ${table('streams')} (events)`,
    };
    for (let i = 0; i < 20; i++) await store.append(`i${i % 3}`, [newEvent('Counted')], 'any');
    const hasIndex = async () =>
      (await db.pool.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'tally_streams_g1_by_events'`, [db.schema]))
        .rowCount === 1;
    const generation = await createGeneration(db.pool, indexed);
    await catchUp(db.pool, store, indexed, generation.generation, { batchSize: 5 });
    expect(await hasIndex()).toBe(false); // filled without it
    expect(await analysed(generation.generation)).toBe(false); // 20 events: too few to analyse while filling
    const built = await buildAndSwap(db.pool, store, indexed, { generation, flushMs: 10 });
    expect(built?.state).toBe('live');
    expect(await hasIndex()).toBe(true);
    expect(await analysed(generation.generation)).toBe(true);
    expect(await counts(db.pool)).toEqual({ i0: 7, i1: 7, i2: 6 });
  });
  const indexExists = async (name: string) =>
    (await db.pool.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [db.schema, name])).rowCount === 1;

  /** Tally with a second table that createIndexes fills, as order search fills its persons. */
  const filling = (createIndexes: Projection['createIndexes']): Projection => ({
    ...batchTally,
    tables: ['streams', 'names'],
    createTables: (names) => `${batchTally.createTables(names)}; CREATE TABLE ${names.table('names')} (name text NOT NULL)`,
    createIndexes,
    // The filled table's index first: a build waiting for the fill must not hold the others back.
    queryIndexes: ({ table }) => [
      `CREATE UNIQUE INDEX IF NOT EXISTS ${table('names')}_unique ON ${table('names')} (name)`,
      `CREATE INDEX IF NOT EXISTS ${table('streams')}_by_events ON ${table('streams')} (events)`,
    ],
    filledAtIndexing: ['names'],
  });

  it('builds query indexes beside createIndexes: on the tables it fills after its commit, on the others at once', async () => {
    for (let i = 0; i < 10; i++) await store.append(`q${i % 2}`, [newEvent('Counted')], 'any');
    const projection = filling(
      ({ table }) => `
      DO $$ BEGIN
        -- Another connection builds the streams index meanwhile: wait up to 10 s for it.
        FOR i IN 1..200 LOOP
          EXIT WHEN EXISTS (SELECT FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '${table('streams')}_by_events');
          PERFORM pg_sleep(0.05);
        END LOOP;
        IF NOT EXISTS (SELECT FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '${table('streams')}_by_events') THEN
          RAISE EXCEPTION 'the streams index was not built beside createIndexes';
        END IF;
      END $$;
      -- The unique index, built before this commits, would refuse the duplicate that is removed again here.
      INSERT INTO ${table('names')} VALUES ('same'), ('same'), ('other');
      DELETE FROM ${table('names')} WHERE ctid = (SELECT min(ctid) FROM ${table('names')} WHERE name = 'same');`,
    );
    const { generation } = await createGeneration(db.pool, projection);
    await catchUp(db.pool, store, projection, generation, { batchSize: 5 });
    await indexGeneration(db.pool, projection, generation);

    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect((await db.pool.query(`SELECT name FROM tally_names_g${generation} ORDER BY name`)).rows).toEqual([{ name: 'other' }, { name: 'same' }]);
    expect((await getGeneration(db.pool, projection.name, generation)).indexed).toBe(true);
  });

  it('builds query indexes a stop left unbuilt after createIndexes committed, at the latest in the swap', async () => {
    await store.append('r', [newEvent('Counted')], 'no_stream');
    const projection = filling(({ table }) => `INSERT INTO ${table('names')} VALUES ('one')`);
    const { generation } = await createGeneration(db.pool, projection);
    await catchUp(db.pool, store, projection, generation);
    // As if the process stopped right after createIndexes' commit.
    await db.pool.query(`INSERT INTO tally_names_g${generation} VALUES ('one'); UPDATE projection_generations SET indexed = true`);
    await swapLive(db.pool, projection, generation);
    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect(await counts(db.pool)).toEqual({ r: 1 });
  });

  it('leaves no build running when createIndexes fails, and tries it all again next time', async () => {
    await store.append('f', [newEvent('Counted')], 'no_stream');
    let fail = true;
    const projection = filling(({ table }) => (fail ? 'SELECT 1 / 0' : `INSERT INTO ${table('names')} VALUES ('one')`));
    const { generation } = await createGeneration(db.pool, projection);
    await catchUp(db.pool, store, projection, generation);
    await expect(indexGeneration(db.pool, projection, generation)).rejects.toThrow(/division by zero/);
    // Every build has ended when the error comes (none waits on a lock or runs on), over what there was.
    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect((await getGeneration(db.pool, projection.name, generation)).indexed).toBe(false);
    fail = false;
    await indexGeneration(db.pool, projection, generation);
    expect((await db.pool.query(`SELECT name FROM tally_names_g${generation}`)).rows).toEqual([{ name: 'one' }]);
    expect((await getGeneration(db.pool, projection.name, generation)).indexed).toBe(true);
  });

  it('runs createIndexes once per generation, and tells handlers whether it has run', async () => {
    let indexings = 0;
    const seen: boolean[] = [];
    const indexedOnce: Projection = {
      ...batchTally,
      handleBatch: async (ctx, events) => {
        seen.push(ctx.indexed);
        await batchTally.handleBatch!(ctx, events);
      },
      createIndexes: ({ table }) => {
        indexings++;
        return `CREATE INDEX IF NOT EXISTS ${table('streams')}_by_events ON ${table('streams')} (events)`;
      },
    };
    for (let i = 0; i < 10; i++) await store.append(`o${i % 2}`, [newEvent('Counted')], 'any');
    const { generation } = await createGeneration(db.pool, indexedOnce);
    await catchUp(db.pool, store, indexedOnce, generation, { batchSize: 5 });
    expect(seen).toEqual([false, false]);
    expect((await getGeneration(db.pool, indexedOnce.name, generation)).indexed).toBe(false);

    await indexGeneration(db.pool, indexedOnce, generation);
    await indexGeneration(db.pool, indexedOnce, generation);
    for (let i = 0; i < 5; i++) await store.append(`o${i % 2}`, [newEvent('Counted')], 'any');
    await catchUp(db.pool, store, indexedOnce, generation, { batchSize: 5 });
    await swapLive(db.pool, indexedOnce, generation);

    expect(indexings).toBe(1);
    expect(seen).toEqual([false, false, true]);
    expect((await getGeneration(db.pool, indexedOnce.name, generation)).indexed).toBe(true);
    expect(await counts(db.pool)).toEqual({ o0: 8, o1: 7 });
  });
});
