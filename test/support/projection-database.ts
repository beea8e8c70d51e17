import { PostgresEventStore, PostgresEventStoreOptions } from '../../src/event-store/postgres/postgres-event-store';
import { ensureRegistrySchema } from '../../src/projection-engine/projection-registry';
import { createTestDatabase, TestDatabase } from './postgres';

/** A schema of its own with an event store and the projection registry, made before each test and dropped after it. */
export function projectionDatabaseEachTest(storeOptions?: PostgresEventStoreOptions): { readonly db: TestDatabase; readonly store: PostgresEventStore } {
  const current = {} as { db: TestDatabase; store: PostgresEventStore };
  beforeEach(async () => {
    current.db = await createTestDatabase();
    await PostgresEventStore.ensureSchema(current.db.pool);
    await ensureRegistrySchema(current.db.pool);
    current.store = new PostgresEventStore(current.db.pool, storeOptions);
  });
  afterEach(async () => {
    await current.store.close();
    await current.db.drop();
  });
  return current;
}
