import { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A value as COPY's text format writes it; null is \N. */
export type CopyValue = string | number | bigint | boolean | null;

const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return typeof value === 'string' ? value.replace(SPECIAL, (c) => ESCAPES[c]) : String(value);
}

/** Rows in COPY's text format (tab-separated, \N for null, backslash escapes), ready to send. */
export function copyText(rows: readonly (readonly CopyValue[])[]): string {
  let text = '';
  for (const row of rows) text += row.map(field).join('\t') + '\n';
  return text;
}

/**
 * Loads rows into a table with COPY FROM STDIN, in the client's transaction: several times
 * cheaper for PostgreSQL than binding the same rows as arrays, which it must parse element by
 * element. For rows known to be new; COPY has no ON CONFLICT.
 */
export async function copyRows(db: Pick<PoolClient, 'query'>, table: string, columns: readonly string[], text: string): Promise<void> {
  // A pool would answer a promise, not a stream, and leave its connection stuck in the copy.
  if (db instanceof Pool) throw new Error('copyRows needs a connected client, not a pool');
  if (text === '') return;
  await pipeline(Readable.from([text]), db.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}
