import type { Pool } from 'pg';
import type { Projection } from '../../src/projection-engine/projection';

/** Counts events per stream; throws on an event whose data says so (a poison event). */
export const tally: Projection = {
  name: 'tally',
  version: 1,
  eventTypes: ['Counted'],
  tables: ['streams'],
  createTables: ({ table }) =>
    `CREATE TABLE ${table('streams')} (stream text PRIMARY KEY, events int NOT NULL, last_position bigint NOT NULL)`,
  async handle({ db, table }, event) {
    if (event.data.poison) throw new Error('cannot count this');
    await db.query(
      `INSERT INTO ${table('streams')} VALUES ($1, 1, $2)
       ON CONFLICT (stream) DO UPDATE SET events = ${table('streams')}.events + 1, last_position = $2
       WHERE ${table('streams')}.last_position < $2`,
      [event.stream, event.position.toString()],
    );
  },
};

/** The tally projection's view as { stream: count }. */
export async function tallyCounts(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query('SELECT stream, events FROM tally_streams ORDER BY stream');
  return Object.fromEntries(rows.map((r) => [r.stream, r.events]));
}

/** The same tally, set-based: one statement per batch. */
export const batchTally: Projection = {
  ...tally,
  async handleBatch({ db, table }, events) {
    if (events.some((event) => event.data.poison)) throw new Error('cannot count this batch');
    const perStream = new Map<string, { events: number; last: bigint }>();
    for (const event of events) {
      const entry = perStream.get(event.stream) ?? { events: 0, last: 0n };
      perStream.set(event.stream, { events: entry.events + 1, last: event.position });
    }
    await db.query(
      `INSERT INTO ${table('streams')} (stream, events, last_position)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
       ON CONFLICT (stream) DO UPDATE SET events = ${table('streams')}.events + excluded.events, last_position = excluded.last_position`,
      [[...perStream.keys()], [...perStream.values()].map((v) => v.events), [...perStream.values()].map((v) => v.last.toString())],
    );
  },
};
