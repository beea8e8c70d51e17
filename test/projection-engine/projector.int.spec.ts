import { Pool } from 'pg';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { Projection } from '../../src/projection-engine/projection';
import { projectionStatus, waitForPosition } from '../../src/projection-engine/projection-status';
import { ensureRegistrySchema, listGenerations } from '../../src/projection-engine/projection-registry';
import { Projector } from '../../src/projection-engine/projector';
import { newEvent } from '../event-store/event-store.conformance';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { tally, tallyCounts } from '../support/tally-projection';

// A second projection over the same events, which never fails.
const tallyAgain: Projection = {
  ...tally,
  name: 'tally_again',
  handle: (ctx, event) => tally.handle(ctx, { ...event, data: {} }),
};

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('projector', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const projectors: Projector[] = [];
  const start = async (projections: Projection[], pool: Pool = db.pool) => {
    const projector = new Projector(pool, store, projections, { standbyPollMs: 100, flushMs: 10 });
    projectors.push(projector);
    await projector.start();
    return projector;
  };

  beforeEach(async () => {
    db = await createTestDatabase(20);
    await PostgresEventStore.ensureSchema(db.pool);
    await ensureRegistrySchema(db.pool);
    store = new PostgresEventStore(db.pool, { pollIntervalMs: 20 });
  });
  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    await store.close();
    await db.drop();
  });

  it('builds a projection from the start, follows new events, and lets a caller wait for its write', async () => {
    await store.append('a', [newEvent('Counted'), newEvent('Ignored')], 'no_stream');
    await start([tally]);
    const { position } = await store.append('b', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    expect(await waitForPosition(db.pool, store, [tally], position, { timeoutMs: 10_000 })).toBe(true);
    expect(await tallyCounts(db.pool)).toEqual({ a: 1, b: 2 });
  });

  it('swaps a new generation in while events keep arriving, and applies them as they come, not when a batch is full', async () => {
    // A steady trickle, as an api under load writes: the builder is never exactly level with the
    // store, and events come closer together than the projector's flush interval.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await store.append(`s-${written++}`, [newEvent('Counted')], 'no_stream');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await start([tally]);
      await eventually(async () => (await listGenerations(db.pool, 'tally')).some((g) => g.state === 'live'), 8_000);
      // Still writing: an event is applied within the flush interval of its arrival, well before 500 have gathered.
      const { position } = await store.append('while-writing', [newEvent('Counted')], 'no_stream');
      expect(await waitForPosition(db.pool, store, [tally], position, { timeoutMs: 1500 })).toBe(true);
    } finally {
      writing = false;
      await writer;
    }
    const { position } = await store.append('last', [newEvent('Counted')], 'no_stream');
    expect(await waitForPosition(db.pool, store, [tally], position, { timeoutMs: 10_000 })).toBe(true);
    expect(Object.keys(await tallyCounts(db.pool))).toHaveLength(written + 2);
  }, 20_000);

  it('reports a timeout, not success, when the read model has not reached the position', async () => {
    await start([tally]);
    await eventually(async () => (await listGenerations(db.pool, 'tally')).some((g) => g.state === 'live'));
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    const { position } = await store.append('late', [newEvent('Counted')], 'no_stream');
    expect(await waitForPosition(db.pool, store, [tally], position, { timeoutMs: 200 })).toBe(false);
  });

  it('runs one active instance per projection; a standby takes over when it stops', async () => {
    const otherPool = new Pool({ ...db.connection, max: 10 });
    try {
      const first = await start([tally]);
      await eventually(async () => first.activeProjections().includes('tally'));
      const second = await start([tally], otherPool);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.activeProjections()).toEqual([]);

      await first.stop();
      await eventually(async () => second.activeProjections().includes('tally'));
      const { position } = await store.append('c', [newEvent('Counted')], 'no_stream');
      expect(await waitForPosition(db.pool, store, [tally], position)).toBe(true);
      expect(await tallyCounts(db.pool)).toEqual({ c: 1 });
      await second.stop();
    } finally {
      await otherPool.end();
    }
  });

  it('stops a projection at a poison event, naming it, while the others go on', async () => {
    const projector = await start([tally, tallyAgain]);
    await eventually(async () => (await listGenerations(db.pool)).filter((g) => g.state === 'live').length === 2);
    await store.append('p', [newEvent('Counted', { poison: true })], 'no_stream');
    await eventually(async () => projector.failure('tally') !== undefined);
    expect(projector.failure('tally')!.message).toMatch(/projection tally failed on Counted .* \(p revision 0/);

    const { position } = await store.append('q', [newEvent('Counted')], 'no_stream');
    expect(await waitForPosition(db.pool, store, [tallyAgain], position)).toBe(true);
    const { rows } = await db.pool.query('SELECT stream, events FROM tally_again_streams ORDER BY stream');
    expect(rows).toEqual([{ stream: 'p', events: 1 }, { stream: 'q', events: 1 }]);
    const [status] = await projectionStatus(db.pool, store, [tally]);
    expect(status.state).toBe('live');
    expect(status.error).toMatch(/failed on Counted/);
    expect(status.lagEvents).toBe(2);
  });

  it('builds a new version beside the live one and swaps it in when caught up', async () => {
    await store.append('v', [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    const v1 = await start([tally]);
    await eventually(async () => (await tallyCounts(db.pool).catch((): Record<string, number> => ({}))).v === 2);
    await v1.stop();

    await start([{ ...tally, version: 2 }]);
    await eventually(async () => (await listGenerations(db.pool, 'tally')).some((g) => g.version === 2 && g.state === 'live'));
    expect((await listGenerations(db.pool, 'tally')).map((g) => [g.generation, g.version, g.state])).toEqual([
      [1, 1, 'retired'],
      [2, 2, 'live'],
    ]);
    expect(await tallyCounts(db.pool)).toEqual({ v: 2 });
  });

  it('shows each projection’s checkpoint and lag in events and seconds', async () => {
    const projector = await start([tally]);
    await eventually(async () => (await listGenerations(db.pool, 'tally')).some((g) => g.state === 'live'));
    await projector.stop();
    await store.append('l', [newEvent('Counted'), newEvent('Counted'), newEvent('Counted')], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [behind] = await projectionStatus(db.pool, store, [tally]);
    expect(behind).toMatchObject({ name: 'tally', state: 'live', lagEvents: 3, error: null });
    expect(behind.lagSeconds).toBeGreaterThan(0);

    const { position } = await store.append('l', [newEvent('Counted')], 2n);
    await start([tally]);
    expect(await waitForPosition(db.pool, store, [tally], position)).toBe(true);
    const [caughtUp] = await projectionStatus(db.pool, store, [tally]);
    expect(caughtUp).toMatchObject({ lagEvents: 0, lagSeconds: 0, checkpoint: position, eventsApplied: 4n });
  });

  it('carries on after its database connections are killed, without recording a failure', async () => {
    // Its own pool, so the test can find and kill exactly the projector's connections.
    const projectorPool = new Pool({ ...db.connection, application_name: 'projector-under-test', max: 6 });
    const projectorStore = new PostgresEventStore(projectorPool, { pollIntervalMs: 20 });
    const projector = new Projector(projectorPool, projectorStore, [tally], { standbyPollMs: 50, flushMs: 10, retryMinMs: 50 });
    projectorPool.on('error', () => undefined); // idle clients killed below report here
    try {
      await projector.start();
      await eventually(async () => projector.activeProjections().includes('tally'));
      const first = await store.append('r', [newEvent('Counted')], 'no_stream');
      expect(await waitForPosition(db.pool, store, [tally], first.position)).toBe(true);

      const killed = await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'projector-under-test'`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);

      const second = await store.append('r', [newEvent('Counted'), newEvent('Counted')], 0n);
      expect(await waitForPosition(db.pool, store, [tally], second.position, { timeoutMs: 15_000 })).toBe(true);
      expect(await tallyCounts(db.pool)).toEqual({ r: 3 });
      expect(projector.failure('tally')).toBeUndefined();
      expect((await listGenerations(db.pool, 'tally')).find((g) => g.state === 'live')?.error).toBeNull();
    } finally {
      await projector.stop();
      await projectorStore.close();
      await projectorPool.end();
    }
  });
});
