import { copyRows, copyText, copyUpsert } from '../../src/postgres/copy-rows';
import { inTransaction } from '../../src/postgres/transaction';
import { createTestDatabase, TestDatabase } from '../support/postgres';

describe('loading rows with COPY', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    await db.pool.query('CREATE TABLE loaded (id int PRIMARY KEY, name text, born date, flag boolean, big bigint)');
  });
  afterAll(() => db.drop());

  it('keeps every value as it was, the characters COPY escapes and a literal \\N included', async () => {
    const tricky = ['tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', "O'Brien; DROP TABLE loaded", 'Ünïcödé 李'];
    const rows = tricky.map((name, i) => [i, name, '1980-02-29', i % 2 === 0, 9007199254740993n]);
    const client = await db.pool.connect();
    try {
      await copyRows(client, 'loaded', ['id', 'name', 'born', 'flag', 'big'], copyText([...rows, [99, null, null, null, null]]));
    } finally {
      client.release();
    }
    const { rows: back } = await db.pool.query('SELECT id, name, born::text, flag, big::text FROM loaded ORDER BY id');
    expect(back).toEqual([
      ...tricky.map((name, i) => ({ id: i, name, born: '1980-02-29', flag: i % 2 === 0, big: '9007199254740993' })),
      { id: 99, name: null, born: null, flag: null, big: null },
    ]);
  });

  it('refuses a pool, whose promise a copy would wait on forever', async () => {
    await expect(copyRows(db.pool, 'loaded', ['id'], copyText([[1000]]))).rejects.toThrow(/needs a connected client/);
  });

  describe('upserting through a staging table', () => {
    const counted = (key: string, n: number, note: string | null = null) => [key, n, note];
    const upsert = (client: Parameters<typeof copyUpsert>[0], rows: ReturnType<typeof counted>[]) =>
      copyUpsert(client, 'counters', ['key', 'n', 'note'], copyText(rows), 'ON CONFLICT (key) DO UPDATE SET n = t.n + EXCLUDED.n, note = coalesce(EXCLUDED.note, t.note) WHERE EXCLUDED.n <> 0');
    const contents = async () => (await db.pool.query('SELECT key, n::int AS n, note FROM counters ORDER BY key')).rows;

    beforeEach(async () => {
      await db.pool.query('DROP TABLE IF EXISTS counters; CREATE TABLE counters (key text PRIMARY KEY, n bigint NOT NULL, note text)');
    });

    it('inserts new keys and applies the conflict clause, its WHERE included, to taken ones', async () => {
      await inTransaction(db.pool, (client) => upsert(client, [counted('a', 1, 'first'), counted('b', 2)]));
      await inTransaction(db.pool, (client) => upsert(client, [counted('a', 5), counted('b', 0, 'ignored'), counted('c\ttab', 7)]));
      expect(await contents()).toEqual([
        { key: 'a', n: 6, note: 'first' },
        { key: 'b', n: 2, note: null },
        { key: 'c\ttab', n: 7, note: null },
      ]);
    });

    it('moves each staged row once, however many upserts a transaction makes', async () => {
      await inTransaction(db.pool, async (client) => {
        await upsert(client, [counted('a', 1)]);
        await upsert(client, [counted('a', 10)]);
        await upsert(client, [counted('b', 100)]);
      });
      expect(await contents()).toEqual([
        { key: 'a', n: 11, note: null },
        { key: 'b', n: 100, note: null },
      ]);
    });

    it('leaves nothing behind when the transaction rolls back, and nothing staged for the next one', async () => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await upsert(client, [counted('a', 1)]);
        await client.query('ROLLBACK');
        await client.query('BEGIN');
        await upsert(client, [counted('b', 2)]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await contents()).toEqual([{ key: 'b', n: 2, note: null }]);
    });

    it('keeps sessions apart: two writers at once each move only their own rows', async () => {
      const [one, two] = [await db.pool.connect(), await db.pool.connect()];
      try {
        await one.query('BEGIN');
        await two.query('BEGIN');
        await upsert(one, [counted('one', 1)]);
        await upsert(two, [counted('two', 2)]);
        await one.query('COMMIT');
        await two.query('COMMIT');
      } finally {
        one.release();
        two.release();
      }
      expect(await contents()).toEqual([
        { key: 'one', n: 1, note: null },
        { key: 'two', n: 2, note: null },
      ]);
    });
  });
});
