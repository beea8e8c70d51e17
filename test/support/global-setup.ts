import { Client } from 'pg';
import { testDatabaseUrl } from './postgres';

/** Integration specs need the real PostgreSQL: fail at once, loudly, when it is not there. */
export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`integration tests need PostgreSQL at ${testDatabaseUrl}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
