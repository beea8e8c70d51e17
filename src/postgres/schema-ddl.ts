import { Pool } from 'pg';
import { inTransaction } from './transaction';

/**
 * Runs a component's idempotent DDL under a transaction-scoped advisory lock, so processes
 * starting together (api, projector, worker) do not race on CREATE OR REPLACE.
 */
export async function runSchemaDdl(pool: Pool, component: string, sql: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`schema:${component}`]);
    await client.query(sql);
  });
}
