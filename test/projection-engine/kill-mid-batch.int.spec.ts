import { spawn } from 'node:child_process';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { catchUp } from '../../src/projection-engine/catch-up';
import { createGeneration, ensureRegistrySchema, listGenerations, swapLive } from '../../src/projection-engine/projection-registry';
import { newEvent } from '../event-store/event-store.conformance';
import { createTestDatabase, TestDatabase, testDatabaseUrlFor } from '../support/postgres';
import { tally, tallyCounts } from '../support/tally-projection';

describe('a projection runner killed in the middle of a batch', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    await PostgresEventStore.ensureSchema(db.pool);
    await ensureRegistrySchema(db.pool);
    store = new PostgresEventStore(db.pool);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('resumes after SIGKILL with no event lost or applied twice', async () => {
    const expected: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const stream = `k${i % 10}`;
      await store.append(stream, [newEvent('Counted')], 'any');
      expected[stream] = (expected[stream] ?? 0) + 1;
    }
    const { generation } = await createGeneration(db.pool, tally);
    await swapLive(db.pool, tally, generation);

    const child = spawn(process.execPath, ['test/support/run-ts.js', 'test/support/slow-projector.child.ts'], {
      env: {
        ...process.env,
        CHILD_DATABASE_URL: testDatabaseUrlFor(db.schema),
        CHILD_GENERATION: String(generation),
      },
      stdio: 'inherit',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill only once a batch has committed and the next one is open (uncommitted rows inside).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [row] = await listGenerations(db.pool, 'tally');
      const open = await db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = 'slow-projector' AND xact_start IS NOT NULL AND state <> 'idle'`,
      );
      if (row.checkpoint > 0n && open.rowCount! > 0) break;
      if (Date.now() > deadline) throw new Error('the child never reached the middle of a batch');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;

    const [afterKill] = await listGenerations(db.pool, 'tally');
    expect(afterKill.eventsApplied).toBeGreaterThan(0n);
    expect(afterKill.eventsApplied).toBeLessThan(300n);
    expect(afterKill.eventsApplied % 40n).toBe(0n); // only whole batches survived

    const resumed = await catchUp(db.pool, store, tally, generation);
    expect(resumed.eventsApplied).toBe(300n);
    expect(await tallyCounts(db.pool)).toEqual(expected);
  }, 60_000);
});
