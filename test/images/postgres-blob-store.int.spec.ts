import { createHash, randomBytes } from 'node:crypto';
import { CHUNK_SIZE } from '../../src/images/blob-chunks';
import { PostgresBlobStore } from '../../src/images/postgres-blob-store';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { describeBlobStoreConformance } from './blob-store.conformance';

async function openStore(): Promise<{ store: PostgresBlobStore; db: TestDatabase }> {
  const db = await createTestDatabase(4);
  await PostgresBlobStore.ensureSchema(db.pool);
  return { store: new PostgresBlobStore(db.pool), db };
}

describeBlobStoreConformance('PostgreSQL', async () => {
  const { store, db } = await openStore();
  return {
    store,
    async corrupt(sha256, chunk) {
      await db.pool.query(
        `UPDATE image_blob_chunks SET data = set_byte(data, 7, get_byte(data, 7) # 1)
          WHERE chunk = $2 AND blob_id = (SELECT blob_id FROM image_blobs WHERE sha256 = $1)`,
        [sha256, chunk],
      );
    },
    teardown: () => db.drop(),
  };
});

describe('PostgreSQL blob store specifics', () => {
  let store: PostgresBlobStore;
  let db: TestDatabase;
  beforeAll(async () => ({ store, db } = await openStore()));
  afterAll(() => db.drop());

  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const content = (bytes: Buffer) => async function* () {
    yield bytes;
  };
  const rows = async () => {
    const { rows: [counts] } = await db.pool.query(
      'SELECT (SELECT count(*) FROM image_blobs)::int AS blobs, (SELECT count(*) FROM image_blob_chunks)::int AS chunks',
    );
    return counts as { blobs: number; chunks: number };
  };

  it('keeps one copy of the same bytes in chunks of 256 KiB, and leaves no chunk behind from a refused or losing put', async () => {
    const before = await rows();
    const bytes = randomBytes(2 * CHUNK_SIZE + 1);
    await Promise.all([1, 2, 3].map(() => store.put(sha256(bytes), bytes.length, content(bytes))));
    await expect(store.put(sha256(randomBytes(4)), bytes.length, content(bytes))).rejects.toThrow();
    expect(await rows()).toEqual({ blobs: before.blobs + 1, chunks: before.chunks + 3 });
  });

  it('writes each chunk with a statement of its own (autocommit), never the image in one long transaction', async () => {
    const bytes = randomBytes(4 * CHUNK_SIZE);
    const query = db.pool.query.bind(db.pool);
    const statements: string[] = [];
    const spy = jest.spyOn(db.pool, 'query').mockImplementation(((...args: Parameters<typeof query>) => {
      statements.push(String(args[0]));
      return query(...args);
    }) as never);
    try {
      await store.put(sha256(bytes), bytes.length, content(bytes));
    } finally {
      spy.mockRestore();
    }
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO image_blob_chunks'))).toHaveLength(4);
  });
});
