import { randomUUID } from 'node:crypto';
import { ClientConfig, Pool } from 'pg';

/** The real PostgreSQL on this machine (STACK.md); CI starts it when it is down. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A connection string that lands in `schema`, for code that takes a URL (the app, child processes). */
export function testDatabaseUrlFor(schema: string): string {
  return `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface TestDatabase {
  pool: Pool;
  schema: string;
  /** Connection settings that land in the same schema, for extra clients (LISTEN, slow writers). */
  connection: ClientConfig;
  drop(): Promise<void>;
}

/** A fresh schema per suite, so suites never see each other's rows and run in any order. */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const connection: ClientConfig = { connectionString: testDatabaseUrl, options: `-c search_path=${schema}` };
  const admin = new Pool({ connectionString: testDatabaseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new Pool({ ...connection, max: poolSize });
  return {
    pool,
    schema,
    connection,
    async drop() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
