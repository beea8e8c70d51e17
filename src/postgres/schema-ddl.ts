import { Pool } from 'pg';
import { inTransaction } from './transaction';

/**
 * Runs idempotent DDL under one transaction-scoped advisory lock shared by every component:
 * processes starting together (api, projector) must not race on CREATE OR REPLACE, and
 * components share objects (the append-only guard function).
 */
export async function runSchemaDdl(pool: Pool, sql: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('schema-ddl'))");
    await client.query(sql);
  });
}
