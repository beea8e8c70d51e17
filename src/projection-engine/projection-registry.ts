import type { Pool } from 'pg';
import type { RecordedEvent, StreamCursor } from '../event-store/event-store.port';
import { runSchemaDdl } from '../postgres/schema-ddl';
import { isTransientDatabaseError } from '../postgres/transient-error';
import { inTransaction } from '../postgres/transaction';
import { PreparedBatch, prepareAndWrite, Projection, tableNames, viewName } from './projection';

/**
 * Where every projection generation keeps its checkpoint and state. `checkpoint` is the global
 * position of the last event applied (0 = nothing yet) and is written in the same transaction
 * as the rows, so a crash at any point neither loses nor doubles an event.
 */
const registrySql = `
CREATE TABLE IF NOT EXISTS projection_generations (
  name            text NOT NULL,
  generation      int NOT NULL,
  version         int NOT NULL,
  state           text NOT NULL CHECK (state IN ('building', 'live', 'retired')),
  checkpoint      bigint NOT NULL DEFAULT 0,
  events_applied  bigint NOT NULL DEFAULT 0,
  last_event_at   timestamptz,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX IF NOT EXISTS projection_generations_one_live ON projection_generations (name) WHERE state = 'live';
-- Columns added since the table was first made, added where missing. Checked first: ALTER TABLE
-- takes the table's exclusive lock even when the column is there, and a process starting beside
-- a running projector then deadlocked with its batches.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = 'projection_generations' AND column_name = 'indexed') THEN
    -- Whether Projection.createIndexes has run; every generation that went live has been indexed.
    ALTER TABLE projection_generations ADD COLUMN indexed boolean NOT NULL DEFAULT false;
    UPDATE projection_generations SET indexed = true WHERE state <> 'building';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = 'projection_generations' AND column_name = 'by_stream_to') THEN
    -- A build reading by stream (by-stream-build.ts): the position it reads up to, and the last
    -- event it applied; the checkpoint stays 0 until it is done.
    ALTER TABLE projection_generations ADD COLUMN by_stream_to bigint, ADD COLUMN by_stream_after text, ADD COLUMN by_stream_after_revision bigint;
  END IF;
END $$;
`;

export type GenerationState = 'building' | 'live' | 'retired';

export interface GenerationRow {
  name: string;
  generation: number;
  version: number;
  state: GenerationState;
  checkpoint: bigint;
  eventsApplied: bigint;
  lastEventAt: Date | null;
  /** Projection.createIndexes has run for it (see ProjectionContext.indexed). */
  indexed: boolean;
  /** Set when a handler failed: the runner stopped at this event until restarted. */
  error: string | null;
  /** Set while the generation is built by stream (see by-stream-build.ts). */
  byStream: ByStreamProgress | null;
}

/** How far a build by stream has come: every event up to `toPosition`, grouped by stream, up to and including `after`. */
export interface ByStreamProgress {
  toPosition: bigint;
  after: StreamCursor | null;
}

/** A handler threw: the batch was rolled back and the projection stops at this event. */
export class ProjectionHandlerError extends Error {
  override readonly name = 'ProjectionHandlerError';
  constructor(
    readonly projection: string,
    readonly event: Pick<RecordedEvent, 'id' | 'type' | 'stream' | 'revision' | 'position'>,
    override readonly cause: unknown,
  ) {
    super(
      `projection ${projection} failed on ${event.type} ${event.id} (${event.stream} revision ${event.revision}, ` +
        `position ${event.position}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

function toRow(row: Record<string, unknown>): GenerationRow {
  return {
    name: row.name as string,
    generation: row.generation as number,
    version: row.version as number,
    state: row.state as GenerationState,
    checkpoint: BigInt(row.checkpoint as string),
    eventsApplied: BigInt(row.events_applied as string),
    lastEventAt: (row.last_event_at as Date | null) ?? null,
    indexed: row.indexed as boolean,
    error: (row.error as string | null) ?? null,
    byStream:
      row.by_stream_to === null || row.by_stream_to === undefined
        ? null
        : {
            toPosition: BigInt(row.by_stream_to as string),
            after: row.by_stream_after === null ? null : { stream: row.by_stream_after as string, revision: BigInt(row.by_stream_after_revision as string) },
          },
  };
}

export async function ensureRegistrySchema(pool: Pool): Promise<void> {
  await runSchemaDdl(pool, registrySql);
}

export async function listGenerations(db: Pick<Pool, 'query'>, name?: string): Promise<GenerationRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM projection_generations WHERE $1::text IS NULL OR name = $1 ORDER BY name, generation`,
    [name ?? null],
  );
  return rows.map(toRow);
}

export async function getGeneration(db: Pick<Pool, 'query'>, name: string, generation: number): Promise<GenerationRow> {
  const found = (await listGenerations(db, name)).find((g) => g.generation === generation);
  if (!found) throw new Error(`projection ${name} has no generation ${generation}`);
  return found;
}

export async function liveGeneration(db: Pick<Pool, 'query'>, name: string): Promise<GenerationRow | undefined> {
  return (await listGenerations(db, name)).find((g) => g.state === 'live');
}

/** Creates the next generation's tables beside any existing ones, in state `building`. */
export async function createGeneration(pool: Pool, projection: Projection): Promise<GenerationRow> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection-generation:${projection.name}`]);
    const { rows } = await client.query(
      'SELECT coalesce(max(generation), 0) + 1 AS next FROM projection_generations WHERE name = $1',
      [projection.name],
    );
    const generation = rows[0].next as number;
    await client.query(projection.createTables(tableNames(projection, generation)));
    const created = await client.query(
      `INSERT INTO projection_generations (name, generation, version, state) VALUES ($1, $2, $3, 'building') RETURNING *`,
      [projection.name, generation, projection.version],
    );
    return toRow(created.rows[0]);
  });
}

/**
 * Applies a batch in one transaction with the checkpoint. Events at or before the checkpoint
 * are skipped (a redelivered batch changes nothing). Returns the generation as it now stands;
 * a retired generation applies nothing (its replacement is live). A handler that throws rolls
 * the whole batch back and raises ProjectionHandlerError naming the event.
 */
export async function applyBatch(
  pool: Pool,
  projection: Projection,
  generation: number,
  events: readonly RecordedEvent[],
  prepared?: PreparedBatch,
): Promise<GenerationRow> {
  return applyWith(pool, projection, generation, events, prepared, {
    fresh: (row) => {
      if (row.byStream) throw new Error(`projection ${projection.name} generation ${generation} is being built by stream`);
      return events.filter((event) => event.position > row.checkpoint);
    },
    single: (event) => applyBatch(pool, projection, generation, [event]),
    record: `checkpoint = $3, last_event_at = $4`,
    values: (last) => [last.position.toString(), last.recordedAt],
  });
}

/**
 * Applies a batch read by stream (readByStream) right after `after`, in one transaction with
 * the generation's by-stream cursor. A batch read after any other cursor was applied already,
 * or by another builder, and changes nothing. Otherwise as applyBatch.
 */
export async function applyStreamBatch(
  pool: Pool,
  projection: Projection,
  generation: number,
  events: readonly RecordedEvent[],
  after: StreamCursor | null,
  prepared?: PreparedBatch,
): Promise<GenerationRow> {
  let before = after;
  return applyWith(pool, projection, generation, events, prepared, {
    fresh: (row) => (row.byStream && sameCursor(row.byStream.after, after) ? events : []),
    single: (event) => {
      const applied = applyStreamBatch(pool, projection, generation, [event], before);
      before = { stream: event.stream, revision: event.revision };
      return applied;
    },
    record: `by_stream_after = $3, by_stream_after_revision = $4`,
    values: (last) => [last.stream, last.revision.toString()],
  });
}

const sameCursor = (a: StreamCursor | null, b: StreamCursor | null) => a?.stream === b?.stream && a?.revision === b?.revision;

/** How a batch's progress is kept: which of its events are still to apply, and what records that they were. */
interface Progress {
  fresh(before: GenerationRow): readonly RecordedEvent[];
  /** Applies one event in its own transaction, to find the one a failing batch fails on. */
  single(event: RecordedEvent): Promise<GenerationRow>;
  /** SET clause for the registry row; $3 and $4 are `values` of the last event applied. */
  record: string;
  values(last: RecordedEvent): unknown[];
}

async function applyWith(
  pool: Pool,
  projection: Projection,
  generation: number,
  events: readonly RecordedEvent[],
  prepared: PreparedBatch | undefined,
  progress: Progress,
): Promise<GenerationRow> {
  const client = await pool.connect();
  let current: RecordedEvent | undefined;
  let released = false;
  try {
    await client.query('BEGIN');
    // The row lock also keeps a second writer of this generation out until we commit.
    const locked = await client.query('SELECT * FROM projection_generations WHERE name = $1 AND generation = $2 FOR UPDATE', [
      projection.name,
      generation,
    ]);
    if (locked.rowCount === 0) throw new Error(`projection ${projection.name} has no generation ${generation}`);
    const before = toRow(locked.rows[0]);
    if (before.state === 'retired') {
      await client.query('ROLLBACK');
      return before;
    }
    const fresh = progress.fresh(before);
    if (fresh.length === 0) {
      await client.query('ROLLBACK');
      return before;
    }
    const ctx = { db: client, indexed: before.indexed, ...tableNames(projection, generation) };
    if ((projection.prepareBatch || projection.handleBatch) && fresh.length > 1) {
      try {
        // A batch prepared ahead is used only if none of it was applied meanwhile.
        if (prepared && fresh.length === events.length) await prepared.write(ctx);
        else if (projection.prepareBatch) await prepareAndWrite(projection, ctx, fresh);
        else await projection.handleBatch!(ctx, fresh);
      } catch {
        // Which event? Apply them singly: those before the culprit commit, the culprit is named.
        await client.query('ROLLBACK');
        client.release();
        released = true;
        let row = before;
        for (const event of fresh) row = await progress.single(event);
        return row;
      }
    } else {
      for (current of fresh) await projection.handle(ctx, current);
    }
    const last = fresh[fresh.length - 1];
    const updated = await client.query(
      `UPDATE projection_generations
          SET ${progress.record}, events_applied = events_applied + ${fresh.length}, error = NULL, updated_at = now()
        WHERE name = $1 AND generation = $2 RETURNING *`,
      [projection.name, generation, ...progress.values(last)],
    );
    await client.query('COMMIT');
    const after = toRow(updated.rows[0]);
    if (crossedAnalyzeMark(before.eventsApplied, after.eventsApplied)) {
      // Statistics are a hint for later batches: failing to take them (the generation was retired
      // and dropped meanwhile) must not fail this one, which is committed.
      await analyzeGeneration(client, projection, generation, GROWTH_SAMPLE).catch(() => client.query('ROLLBACK'));
    }
    return after;
  } catch (error) {
    if (released) throw error;
    await client.query('ROLLBACK').catch(() => undefined);
    if (current && !(error instanceof ProjectionHandlerError)) throw new ProjectionHandlerError(projection.name, current, error);
    throw error;
  } finally {
    if (!released) client.release();
  }
}

/**
 * Starts building a generation by stream, over every event up to `toPosition`: only a
 * generation being built that has applied nothing yet. Returns the generation as it now stands.
 */
export async function startByStream(pool: Pool, projection: Projection, generation: number, toPosition: bigint): Promise<GenerationRow> {
  await pool.query(
    `UPDATE projection_generations SET by_stream_to = $3, updated_at = now()
      WHERE name = $1 AND generation = $2 AND state = 'building' AND checkpoint = 0 AND events_applied = 0 AND by_stream_to IS NULL`,
    [projection.name, generation, toPosition.toString()],
  );
  return getGeneration(pool, projection.name, generation);
}

/** Ends a build by stream: its checkpoint becomes the position it read up to, from where the build goes on in position order. */
export async function finishByStream(pool: Pool, projection: Projection, generation: number): Promise<GenerationRow> {
  await pool.query(
    `UPDATE projection_generations
        SET checkpoint = by_stream_to, by_stream_to = NULL, by_stream_after = NULL, by_stream_after_revision = NULL, updated_at = now()
      WHERE name = $1 AND generation = $2 AND by_stream_to IS NOT NULL`,
    [projection.name, generation],
  );
  return getGeneration(pool, projection.name, generation);
}

/** A generation is analysed once it has applied this many events, and again each time that grows eightfold. */
const FIRST_ANALYZE_AT = 4096n;
const ANALYZE_GROWTH = 8n;
/**
 * Statistics target while a generation grows: a tenth of the default sample is plenty to tell
 * an index lookup from a scan, and a rebuild's handlers need no more; queries get the full
 * sample when the generation goes live.
 */
const GROWTH_SAMPLE = 10;

function crossedAnalyzeMark(before: bigint, after: bigint): boolean {
  for (let mark = FIRST_ANALYZE_AT; mark <= after; mark *= ANALYZE_GROWTH) if (mark > before) return true;
  return false;
}

/**
 * Gives the planner statistics of a generation's tables. The handlers' set-based statements
 * join a batch's ids against tables that a rebuild fills from nothing in minutes: planned
 * without statistics (autovacuum lags behind a rebuild, or is off), a lookup of a few thousand
 * ids by an index becomes a scan of the whole table in every batch. The planner scales row
 * counts by a table's current size and keeps distinct counts as a share of the rows, so
 * statistics taken at a fraction of the final size still choose the right plans; a generation
 * is analysed again before it goes live, for the queries.
 */
export async function analyzeGeneration(
  db: Pick<Pool, 'query'>,
  projection: Projection,
  generation: number,
  statisticsTarget?: number,
): Promise<void> {
  const names = tableNames(projection, generation);
  const tables = projection.tables.map((table) => names.table(table));
  if (statisticsTarget === undefined) {
    // Each table on a connection of its own when db is a pool: they are independent, and Node idles meanwhile.
    await Promise.all(tables.map((table) => db.query(`ANALYZE ${table}`)));
  } else {
    await db.query(`BEGIN; SET LOCAL default_statistics_target = ${statisticsTarget}; ANALYZE ${tables.join(', ')}; COMMIT`);
  }
}

/**
 * A handler's own bug: the projection stops at the event. A database hiccup during a handler
 * (the server restarted, a connection broke) heals by trying again instead.
 */
export function isHandlerBug(error: unknown): error is ProjectionHandlerError {
  return error instanceof ProjectionHandlerError && !isTransientDatabaseError(error.cause);
}

/** Status shows a handler's bug and its event until a restart clears it; anything else is not recorded. Never throws. */
export async function recordHandlerBug(pool: Pool, name: string, generation: number, error: unknown): Promise<void> {
  if (!isHandlerBug(error)) return;
  await pool
    .query('UPDATE projection_generations SET error = $3, updated_at = now() WHERE name = $1 AND generation = $2', [name, generation, error.message])
    .catch(() => undefined);
}

/**
 * Query index builds at once, beside createIndexes. PostgreSQL already gives a build over a
 * large table a parallel worker; a second build at once still took order search's indexing of
 * the same rows from 8.4–8.7 s to 7.1–7.4 s on two cores, a third gained little more (docs/benchmarks.md).
 */
const INDEX_BUILDS_AT_ONCE = 2;

/**
 * Indexes a generation that has caught up: runs the projection's createIndexes once, in one
 * transaction with the flag that says it ran, because it may fill tables that only queries
 * need (order search's person rows), which a second run would double; and builds its query
 * indexes beside it, each in a transaction of its own. Those on the tables createIndexes fills
 * wait for it: the transaction locks them against index builds before it starts them. The
 * builds run on every call, as no-ops once done, so a process stopped between the flag and the
 * last build completes them the next time.
 */
export async function indexGeneration(pool: Pool, projection: Projection, generation: number): Promise<void> {
  const names = tableNames(projection, generation);
  const queue = [...(projection.queryIndexes?.(names) ?? [])];
  let builds: Promise<unknown> | undefined;
  const startBuilds = () => {
    const builder = async () => {
      for (let sql = queue.shift(); sql !== undefined; sql = queue.shift()) await pool.query(sql);
    };
    builds ??= Promise.allSettled(Array.from({ length: Math.min(INDEX_BUILDS_AT_ONCE, queue.length) }, builder)).then((results) => {
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    return builds;
  };
  let gone = false;
  try {
    await inTransaction(pool, async (client) => {
      const claim = await claimIndexing(client, projection, generation);
      gone = claim === 'gone';
      if (claim !== 'claimed') return;
      const filled = (projection.filledAtIndexing ?? []).map((table) => names.table(table));
      // SHARE ROW EXCLUSIVE conflicts with CREATE INDEX's SHARE lock, not with the fill's own writes.
      if (filled.length > 0) await client.query(`LOCK TABLE ${filled.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
      void startBuilds().catch(() => undefined); // awaited below: it may be waiting for this commit
      await finishIndexing(client, projection, generation);
    });
  } catch (error) {
    // Builds that waited for the rolled-back fill go on over what is there; none is left running behind the caller.
    await startBuilds().catch(() => undefined);
    throw error;
  }
  if (!gone) await startBuilds();
}

/** Locks the generation's row for createIndexes; 'gone' when a rebuild retired it (its tables are dropped). */
async function claimIndexing(client: Pick<Pool, 'query'>, projection: Projection, generation: number): Promise<'claimed' | 'indexed' | 'gone'> {
  const { rows } = await client.query('SELECT indexed, state FROM projection_generations WHERE name = $1 AND generation = $2 FOR UPDATE', [
    projection.name,
    generation,
  ]);
  if (rows.length === 0 || rows[0].state === 'retired') return 'gone';
  return rows[0].indexed ? 'indexed' : 'claimed';
}

async function finishIndexing(client: Pick<Pool, 'query'>, projection: Projection, generation: number): Promise<void> {
  if (projection.createIndexes) await client.query(projection.createIndexes(tableNames(projection, generation)));
  await client.query('UPDATE projection_generations SET indexed = true, updated_at = now() WHERE name = $1 AND generation = $2', [
    projection.name,
    generation,
  ]);
}

/**
 * Makes `generation` the live one: its views replace the old generation's in one transaction,
 * the old generation is retired and its tables dropped. Queries see the old tables until the
 * commit and the new ones after it; never a mix, never nothing.
 */
export async function swapLive(pool: Pool, projection: Projection, generation: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection-generation:${projection.name}`]);
    const old = await client.query(
      `UPDATE projection_generations SET state = 'retired', updated_at = now() WHERE name = $1 AND state = 'live' RETURNING generation`,
      [projection.name],
    );
    const promoted = await client.query(
      `UPDATE projection_generations SET state = 'live', updated_at = now() WHERE name = $1 AND generation = $2 AND state = 'building'`,
      [projection.name, generation],
    );
    if (promoted.rowCount !== 1) throw new Error(`projection ${projection.name} generation ${generation} is not being built`);
    const names = tableNames(projection, generation);
    // Usually done already by the build (see buildAndSwap); never swap in an unindexed generation.
    if ((await claimIndexing(client, projection, generation)) === 'claimed') await finishIndexing(client, projection, generation);
    for (const sql of projection.queryIndexes?.(names) ?? []) await client.query(sql);
    for (const table of projection.tables) {
      await client.query(`DROP VIEW IF EXISTS ${viewName(projection, table)}`);
      await client.query(`CREATE VIEW ${viewName(projection, table)} AS SELECT * FROM ${names.table(table)}`);
    }
    for (const { generation: retired } of old.rows) {
      const retiredNames = tableNames(projection, retired);
      for (const table of projection.tables) await client.query(`DROP TABLE IF EXISTS ${retiredNames.table(table)}`);
    }
  });
}
