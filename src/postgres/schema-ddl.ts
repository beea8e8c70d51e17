import { Pool } from 'pg';

/**
 * Runs a component's idempotent DDL under a transaction-scoped advisory lock, so processes
 * starting together (api, projector, worker) do not race on CREATE OR REPLACE.
 */
export async function runSchemaDdl(pool: Pool, component: string, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`schema:${component}`]);
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
