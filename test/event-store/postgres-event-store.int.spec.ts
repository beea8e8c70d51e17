import { DuplicateEventIdError } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { describeEventStoreConformance, newEvent, take } from './event-store.conformance';
import { Pool } from 'pg';

async function openStore(): Promise<{ store: PostgresEventStore; db: TestDatabase }> {
  const db = await createTestDatabase();
  await PostgresEventStore.ensureSchema(db.pool);
  const store = new PostgresEventStore(db.pool, { listenConnection: db.connection, batchSize: 3 });
  return { store, db };
}

describeEventStoreConformance('PostgreSQL', async () => {
  const { store, db } = await openStore();
  return {
    store,
    teardown: async () => {
      await store.close();
      await db.drop();
    },
  };
});

describe('PostgreSQL event store specifics', () => {
  let store: PostgresEventStore;
  let db: TestDatabase;
  beforeAll(async () => ({ store, db } = await openStore()));
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('refuses an event id that was already used in another stream', async () => {
    const event = newEvent();
    await store.append('s-one', [event], 'no_stream');
    await expect(store.append('s-two', [event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
  });

  it('keeps the log append-only: updates, deletes and truncation are refused', async () => {
    await store.append('s-immutable', [newEvent()], 'no_stream');
    await expect(db.pool.query(`UPDATE es_events SET type = 'X'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM es_events')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('TRUNCATE es_events')).rejects.toThrow(/append-only/);
  });

  it('refuses more events in one append than a transaction position range holds', async () => {
    const tooMany = Array.from({ length: 65_537 }, () => newEvent());
    await expect(store.append('s-huge', tooMany, 'no_stream')).rejects.toThrow(/at most 65536 events/);
    await expect(store.readStream('s-huge')).rejects.toThrow(/not found/);
  });

  it('wakes a subscriber in another process through NOTIFY, without waiting for its poll', async () => {
    const otherPool = new Pool({ ...db.connection, max: 2 });
    // Polls once a minute: only the notification can deliver within the test's time.
    const other = new PostgresEventStore(otherPool, { listenConnection: db.connection, pollIntervalMs: 60_000 });
    const subscription = other.subscribe({ fromPosition: await store.headPosition(), filter: { streamPrefixes: ['s-notify'] } });
    try {
      const received = take(subscription, 1, 3_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // let it reach its wait
      await store.append('s-notify', [newEvent('Notified')], 'no_stream');
      expect((await received)[0].type).toBe('Notified');
    } finally {
      await subscription.close();
      await other.close();
      await otherPool.end();
    }
  });

  it('applying the schema twice is harmless (every process runs it at start-up)', async () => {
    await PostgresEventStore.ensureSchema(db.pool);
    await expect(PostgresEventStore.ensureSchema(db.pool)).resolves.toBeUndefined();
  });
});
