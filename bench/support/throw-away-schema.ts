import { Pool } from 'pg';
import { loadConfig } from '../../src/config/config';
import { connectPostgres, PostgresConnection } from '../../src/postgres/postgres-connection';

/**
 * Runs a benchmark in a schema of its own on the database `npm start` would use (DATABASE_URL,
 * the local server, or an embedded one), dropped afterwards unless `keep` is set. `reuse` names
 * a schema an earlier run kept: the benchmark runs in it again and leaves it as it was found.
 */
export async function withThrowAwaySchema(
  prefix: string,
  maxConnections: number,
  work: (pool: Pool, context: { schema: string; source: PostgresConnection['source']; connectionString: string }) => Promise<void>,
  { keep = false, reuse }: { keep?: boolean; reuse?: string } = {},
): Promise<void> {
  const postgres = await connectPostgres(loadConfig());
  const schema = reuse ?? `${prefix}_${Date.now()}`;
  if (!reuse) await postgres.pool.query(`CREATE SCHEMA ${schema}`);
  const pool = new Pool({ connectionString: postgres.connectionString, options: `-c search_path=${schema}`, max: maxConnections });
  try {
    await work(pool, { schema, source: postgres.source, connectionString: postgres.connectionString });
  } finally {
    await pool.end();
    if (!keep && !reuse) await postgres.pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await postgres.close();
  }
}

/** Ends the process with the error, for a benchmark's main(). */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
