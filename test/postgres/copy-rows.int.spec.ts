import { copyRows, copyText } from '../../src/postgres/copy-rows';
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
});
