import { catchUp } from '../../src/projection-engine/catch-up';
import { buildAndSwap } from '../../src/projection-engine/projector';
import {
  applyBatch,
  createGeneration,
  getGeneration,
  indexGeneration,
  listGenerations,
  ProjectionHandlerError,
  swapLive,
} from '../../src/projection-engine/projection-registry';
import type { Projection } from '../../src/projection-engine/projection';
import { newEvent } from '../event-store/event-store.conformance';
import { tallyCounts as counts } from '../support/tally-projection';
import { projectionDatabaseEachTest } from '../support/projection-database';
import { batchTally, tally } from '../support/tally-projection';

describe('projection generations and checkpoints', () => {
  const setup = projectionDatabaseEachTest();

  it('applies a batch and its checkpoint together, and a redelivered batch changes nothing', async () => {
    await setup.store.append('a', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    const { generation } = await createGeneration(setup.db.pool, tally);
    await swapLive(setup.db.pool, tally, generation);
    const events = [];
    for await (const event of setup.store.readAll()) events.push(event);
    const after = await applyBatch(setup.db.pool, tally, generation, events);
    expect(after.checkpoint).toBe(events[1].position);
    await applyBatch(setup.db.pool, tally, generation, events);
    expect(await counts(setup.db.pool)).toEqual({ a: 2 });
    expect((await listGenerations(setup.db.pool, 'tally'))[0].eventsApplied).toBe(2n);
  });

  it('rolls back the whole batch on a poison event and names the event', async () => {
    await setup.store.append('a', [newEvent('Counted')], 'no_stream');
    await setup.store.append('b', [newEvent('Counted', { poison: true })], 'no_stream');
    const { generation } = await createGeneration(setup.db.pool, tally);
    await swapLive(setup.db.pool, tally, generation);
    const error = await catchUp(setup.db.pool, setup.store, tally, generation).catch((e) => e);
    expect(error).toBeInstanceOf(ProjectionHandlerError);
    expect(error.message).toMatch(/projection tally failed on Counted .* \(b revision 0, position \d+\): cannot count this/);
    expect(await counts(setup.db.pool)).toEqual({});
    expect((await listGenerations(setup.db.pool, 'tally'))[0].checkpoint).toBe(0n);
  });

  it('builds a new generation beside the live one and swaps the views atomically', async () => {
    await setup.store.append('a', [newEvent('Counted')], 'no_stream');
    const first = await createGeneration(setup.db.pool, tally);
    await catchUp(setup.db.pool, setup.store, tally, first.generation);
    await swapLive(setup.db.pool, tally, first.generation);
    await setup.store.append('a', [newEvent('Counted')], 0n);

    const second = await createGeneration(setup.db.pool, tally);
    await catchUp(setup.db.pool, setup.store, tally, second.generation);
    // Until the swap, queries read the old generation, which has not seen the new event.
    expect(await counts(setup.db.pool)).toEqual({ a: 1 });
    await swapLive(setup.db.pool, tally, second.generation);
    expect(await counts(setup.db.pool)).toEqual({ a: 2 });
    const states = (await listGenerations(setup.db.pool, 'tally')).map((g) => [g.generation, g.state]);
    expect(states).toEqual([[1, 'retired'], [2, 'live']]);
    // The retired generation's tables are gone; applying to it is refused quietly.
    expect((await applyBatch(setup.db.pool, tally, first.generation, [])).state).toBe('retired');
    await expect(setup.db.pool.query('SELECT 1 FROM tally_streams_g1')).rejects.toThrow(/does not exist/);
  });

  it('applies a batch set-based when the projection can, with the same result as one by one', async () => {
    for (let i = 0; i < 30; i++) await setup.store.append(`s${i % 4}`, [newEvent('Counted')], 'any');
    const { generation } = await createGeneration(setup.db.pool, batchTally);
    await swapLive(setup.db.pool, batchTally, generation);
    const row = await catchUp(setup.db.pool, setup.store, batchTally, generation, { batchSize: 7 });
    expect(row.eventsApplied).toBe(30n);
    expect(await counts(setup.db.pool)).toEqual({ s0: 8, s1: 8, s2: 7, s3: 7 });
  });

  it('names the poison event inside a failed set-based batch, keeping the events before it', async () => {
    await setup.store.append('a', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    await setup.store.append('b', [newEvent('Counted', { poison: true }), newEvent('Counted')], 'no_stream');
    const { generation } = await createGeneration(setup.db.pool, batchTally);
    await swapLive(setup.db.pool, batchTally, generation);
    const error = await catchUp(setup.db.pool, setup.store, batchTally, generation).catch((e) => e);
    expect(error).toBeInstanceOf(ProjectionHandlerError);
    expect(error.event).toMatchObject({ stream: 'b', revision: 0n });
    expect(await counts(setup.db.pool)).toEqual({ a: 2 });
  });

  const analysed = async (generation: number) =>
    Number(
      (await setup.db.pool.query(`SELECT count(*) AS n FROM pg_stats WHERE schemaname = $1 AND tablename = $2`, [setup.db.schema, `tally_streams_g${generation}`]))
        .rows[0].n,
    ) > 0;

  it('analyses a generation as it grows, from 4,096 events on', async () => {
    await setup.store.append('grows', Array.from({ length: 4095 }, () => newEvent('Counted')), 'no_stream');
    const growing = await createGeneration(setup.db.pool, batchTally);
    await catchUp(setup.db.pool, setup.store, batchTally, growing.generation, { batchSize: 1000 });
    expect(await analysed(growing.generation)).toBe(false); // 4,095 events: not yet
    await setup.store.append('grows', [newEvent('Counted')], 4094n);
    await catchUp(setup.db.pool, setup.store, batchTally, growing.generation);
    expect(await analysed(growing.generation)).toBe(true);
  });

  it('fills a new generation without its query indexes, and indexes and analyses it before the swap', async () => {
    const indexed = {
      ...batchTally,
      createIndexes: ({ table }: { table(name: string): string }) =>
        `CREATE INDEX IF NOT EXISTS ${table('streams')}_by_events ON ${table('streams')} (events)`,
    };
    for (let i = 0; i < 20; i++) await setup.store.append(`i${i % 3}`, [newEvent('Counted')], 'any');
    const hasIndex = async () =>
      (await setup.db.pool.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'tally_streams_g1_by_events'`, [setup.db.schema]))
        .rowCount === 1;
    const generation = await createGeneration(setup.db.pool, indexed);
    await catchUp(setup.db.pool, setup.store, indexed, generation.generation, { batchSize: 5 });
    expect(await hasIndex()).toBe(false); // filled without it
    expect(await analysed(generation.generation)).toBe(false); // 20 events: too few to analyse while filling
    const built = await buildAndSwap(setup.db.pool, setup.store, indexed, { generation, flushMs: 10 });
    expect(built?.state).toBe('live');
    expect(await hasIndex()).toBe(true);
    expect(await analysed(generation.generation)).toBe(true);
    expect(await counts(setup.db.pool)).toEqual({ i0: 7, i1: 7, i2: 6 });
  });
  const indexExists = async (name: string) =>
    (await setup.db.pool.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [setup.db.schema, name])).rowCount === 1;

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
    for (let i = 0; i < 10; i++) await setup.store.append(`q${i % 2}`, [newEvent('Counted')], 'any');
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
    const { generation } = await createGeneration(setup.db.pool, projection);
    await catchUp(setup.db.pool, setup.store, projection, generation, { batchSize: 5 });
    await indexGeneration(setup.db.pool, projection, generation);

    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect((await setup.db.pool.query(`SELECT name FROM tally_names_g${generation} ORDER BY name`)).rows).toEqual([{ name: 'other' }, { name: 'same' }]);
    expect((await getGeneration(setup.db.pool, projection.name, generation)).indexed).toBe(true);
  });

  it('builds query indexes a stop left unbuilt after createIndexes committed, at the latest in the swap', async () => {
    await setup.store.append('r', [newEvent('Counted')], 'no_stream');
    const projection = filling(({ table }) => `INSERT INTO ${table('names')} VALUES ('one')`);
    const { generation } = await createGeneration(setup.db.pool, projection);
    await catchUp(setup.db.pool, setup.store, projection, generation);
    // As if the process stopped right after createIndexes' commit.
    await setup.db.pool.query(`INSERT INTO tally_names_g${generation} VALUES ('one'); UPDATE projection_generations SET indexed = true`);
    await swapLive(setup.db.pool, projection, generation);
    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect(await counts(setup.db.pool)).toEqual({ r: 1 });
  });

  it('leaves no build running when createIndexes fails, and tries it all again next time', async () => {
    await setup.store.append('f', [newEvent('Counted')], 'no_stream');
    let fail = true;
    const projection = filling(({ table }) => (fail ? 'SELECT 1 / 0' : `INSERT INTO ${table('names')} VALUES ('one')`));
    const { generation } = await createGeneration(setup.db.pool, projection);
    await catchUp(setup.db.pool, setup.store, projection, generation);
    await expect(indexGeneration(setup.db.pool, projection, generation)).rejects.toThrow(/division by zero/);
    // Every build has ended when the error comes (none waits on a lock or runs on), over what there was.
    expect(await indexExists(`tally_names_g${generation}_unique`)).toBe(true);
    expect(await indexExists(`tally_streams_g${generation}_by_events`)).toBe(true);
    expect((await getGeneration(setup.db.pool, projection.name, generation)).indexed).toBe(false);
    fail = false;
    await indexGeneration(setup.db.pool, projection, generation);
    expect((await setup.db.pool.query(`SELECT name FROM tally_names_g${generation}`)).rows).toEqual([{ name: 'one' }]);
    expect((await getGeneration(setup.db.pool, projection.name, generation)).indexed).toBe(true);
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
    for (let i = 0; i < 10; i++) await setup.store.append(`o${i % 2}`, [newEvent('Counted')], 'any');
    const { generation } = await createGeneration(setup.db.pool, indexedOnce);
    await catchUp(setup.db.pool, setup.store, indexedOnce, generation, { batchSize: 5 });
    expect(seen).toEqual([false, false]);
    expect((await getGeneration(setup.db.pool, indexedOnce.name, generation)).indexed).toBe(false);

    await indexGeneration(setup.db.pool, indexedOnce, generation);
    await indexGeneration(setup.db.pool, indexedOnce, generation);
    for (let i = 0; i < 5; i++) await setup.store.append(`o${i % 2}`, [newEvent('Counted')], 'any');
    await catchUp(setup.db.pool, setup.store, indexedOnce, generation, { batchSize: 5 });
    await swapLive(setup.db.pool, indexedOnce, generation);

    expect(indexings).toBe(1);
    expect(seen).toEqual([false, false, true]);
    expect((await getGeneration(setup.db.pool, indexedOnce.name, generation)).indexed).toBe(true);
    expect(await counts(setup.db.pool)).toEqual({ o0: 8, o1: 7 });
  });
});
