import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendWithin, PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { RecordedEvent } from '../../src/event-store/event-store.port';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { newEvent } from './event-store.conformance';

const APPENDERS = 16;
const EVENTS_PER_APPENDER = 250;

/**
 * DESIGN.md §2: a subscriber must never skip an event that commits late. Some appenders hold
 * their transaction open after appending (so later transactions commit first), some roll back.
 * A live subscriber must receive every committed event exactly once, in position order, and
 * nothing that rolled back.
 */
describe('PostgreSQL event store under concurrent late commits', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase(APPENDERS + 6);
    await PostgresEventStore.ensureSchema(db.pool);
    store = new PostgresEventStore(db.pool, { listenConnection: db.connection, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it(`delivers every committed event exactly once and in position order (${APPENDERS} appenders)`, async () => {
    const committed = new Set<string>();
    const rolledBack = new Set<string>();

    async function appender(worker: number): Promise<void> {
      for (let i = 0; i < EVENTS_PER_APPENDER; ) {
        const batch = Array.from({ length: Math.min(randomInt(1, 4), EVENTS_PER_APPENDER - i) }, () => newEvent());
        const stream = `late-${worker}-${i % 7}`;
        const style = randomInt(10);
        if (style < 7) {
          await store.append(stream, batch, 'any');
        } else {
          // Hold the transaction open after taking its position, then commit or roll back.
          const client = await db.pool.connect();
          try {
            await client.query('BEGIN');
            await appendWithin(client, stream, batch, 'any');
            await sleep(randomInt(1, 25));
            await client.query(style === 9 ? 'ROLLBACK' : 'COMMIT');
          } finally {
            client.release();
          }
          if (style === 9) {
            batch.forEach((e) => rolledBack.add(e.id));
            continue;
          }
        }
        batch.forEach((e) => committed.add(e.id));
        i += batch.length;
      }
    }

    // The naive reader a plain sequence invites: everything after the last position seen.
    let naiveCheckpoint = 0n;
    const naiveSeen = new Set<string>();
    let appendersDone = false;
    const naiveReader = (async () => {
      while (!appendersDone) {
        const { rows } = await db.pool.query(
          'SELECT id, position FROM es_events WHERE position > $1 ORDER BY position',
          [naiveCheckpoint.toString()],
        );
        for (const row of rows) {
          naiveSeen.add(row.id);
          naiveCheckpoint = BigInt(row.position);
        }
        await sleep(2);
      }
    })();

    const subscription = store.subscribe();
    const received: RecordedEvent[] = [];
    const total = APPENDERS * EVENTS_PER_APPENDER;
    const consumer = (async () => {
      for await (const event of subscription) {
        received.push(event);
        if (received.length >= total) break;
      }
    })();

    await Promise.all(Array.from({ length: APPENDERS }, (_, worker) => appender(worker)));
    appendersDone = true;
    await naiveReader;
    const deadline = setTimeout(() => void subscription.close(), 30_000);
    await consumer;
    clearTimeout(deadline);
    await subscription.close();
    // Anything else (a duplicate, a rolled-back event) would have shown up by now.
    const probe = store.subscribe({ fromPosition: received[received.length - 1].position });
    const extra = await Promise.race([
      (async () => {
        for await (const event of probe) return event;
      })(),
      sleep(300).then(() => undefined),
    ]);
    await probe.close();

    expect(committed.size).toBe(total);
    expect(rolledBack.size).toBeGreaterThan(0);
    // The workload really did commit late: the naive reader missed events for good.
    expect(naiveSeen.size).toBeLessThan(total);

    const ids = received.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(total);
    expect(ids.filter((id) => !committed.has(id))).toEqual([]);
    expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
    const positions = received.map((e) => e.position);
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
    expect(extra).toBeUndefined();
  }, 120_000);
});
