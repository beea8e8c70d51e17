import { DuplicateEventIdError } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { describeEventStoreConformance, newEvent } from './event-store.conformance';

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

  it('applying the schema twice is harmless (every process runs it at start-up)', async () => {
    await PostgresEventStore.ensureSchema(db.pool);
    await expect(PostgresEventStore.ensureSchema(db.pool)).resolves.toBeUndefined();
  });
});
