import { setImmediate as nextTurn } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * A read model (DESIGN.md §8). Each lives in its own folder under `projections/`, owning its
 * tables, its handlers and its queries.
 *
 * Tables are versioned by generation: a projection's logical table `persons` is the physical
 * table `<name>_persons_g<N>`; queries read the view `<name>_persons`, which points at the live
 * generation. A rebuild fills generation N+1 beside the live one and swaps the views in one
 * transaction, so queries keep answering from the old tables until the new ones are complete.
 */
export interface Projection {
  /** snake_case, also the prefix of its tables and views, e.g. `order_search`. */
  readonly name: string;
  /** Bump when tables or handlers change meaning: the projector then rebuilds beside the live one. */
  readonly version: number;
  /** Event types the handlers need; the runner subscribes to these only. */
  readonly eventTypes: readonly string[];
  /**
   * Every row depends on the events of one stream only, and handlers recognise a replay by the
   * stream's revision (not by a position): a rebuild may then apply events grouped by stream
   * (by-stream-build.ts), writing each row once. Not so for a row that follows other streams
   * (CARPOS transactions follow their court's settings) or knows replays by position (the audit trail).
   */
  readonly perStream?: boolean;
  /** Logical table names, each created by `createTables` as `ctx.table(name)`. */
  readonly tables: readonly string[];
  /**
   * DDL for one generation's tables (use `ctx.table(name)` for every name), with the keys and
   * indexes the handlers themselves need.
   */
  createTables(ctx: TableNames): string;
  /**
   * What a generation that has caught up needs made once, before queries read it: rows that
   * handlers leave to it while `ctx.indexed` is false (order search's person rows), keys made
   * over the finished rows (reports' counters). Runs once per generation (indexGeneration), in
   * one transaction with the flag that says it ran.
   */
  createIndexes?(ctx: TableNames): string;
  /**
   * The indexes only queries need, one `CREATE INDEX IF NOT EXISTS` each. A new generation is
   * filled without them and indexed once it has caught up, before the swap: building an index
   * over millions of rows once is far cheaper than keeping it up to date row by row during a
   * rebuild. They are built a few at a time, each on a connection of its own, while
   * createIndexes runs, in the order given: a build on a table createIndexes writes to (named in
   * `filledAtIndexing`) waits for it to commit, so list the others first.
   */
  queryIndexes?(ctx: TableNames): readonly string[];
  /** The tables createIndexes writes rows to: their query indexes are built over those rows. */
  readonly filledAtIndexing?: readonly string[];
  /**
   * Applies one event inside the batch transaction. Must be replay-safe: rows remember what
   * they applied (stream revision or position), so applying an event twice changes nothing.
   * Must not have side effects outside its own tables.
   */
  handle(ctx: ProjectionContext, event: RecordedEvent): Promise<void>;
  /**
   * Optional set-based form of `handle` for a whole batch (a rebuild applies millions of
   * events): same result as handling the events one by one. When a batch fails, the engine
   * applies its events singly to name the one that fails.
   */
  handleBatch?(ctx: ProjectionContext, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Optional set-based form in two steps: preparing a batch (decoding, reading what the batch
   * needs, folding, building statement parameters) and writing what was prepared, in the
   * batch's transaction. The runner prepares a batch while the one before it is still being
   * written, so Node and PostgreSQL work at once. Preparing reads through `ahead.db`, which
   * shows what earlier batches committed but not what the batch before is still writing: the
   * rows that batch leaves are in `ahead.previous.rows`. Nothing may be kept between calls, and
   * nothing written while preparing. A projection with it needs no handleBatch; its handle can
   * be `prepareAndWrite(projection, ctx, [event])`.
   */
  prepareBatch?(events: readonly RecordedEvent[], ahead: PrepareContext): Promise<PreparedBatch>;
}

export interface PrepareContext extends TableNames {
  readonly db: Pick<PoolClient, 'query'>;
  /** The batch before this one, prepared and not committed yet; absent once it has been. */
  readonly previous?: PreparedBatch;
}

export interface PreparedBatch {
  /** Runs in the batch's transaction. */
  write(ctx: ProjectionContext): Promise<void>;
  /** What the writes leave, by key, in the projection's own shape: for preparing the next batch. */
  readonly rows?: ReadonlyMap<string, unknown>;
}

/** Prepares and writes a batch at once, in the transaction: the handle of a projection that prepares. */
export async function prepareAndWrite(projection: Projection, ctx: ProjectionContext, events: readonly RecordedEvent[]): Promise<void> {
  await (await projection.prepareBatch!(events, ctx)).write(ctx);
}

export interface TableNames {
  /** Physical name of a logical table in the generation being written, e.g. `order_search_persons_g2`. */
  table(name: string): string;
}

export interface ProjectionContext extends TableNames {
  /** The batch's transaction: everything written here commits with the checkpoint, or not at all. */
  readonly db: Pick<PoolClient, 'query'>;
  /**
   * Whether the generation's createIndexes has run. False while a new generation catches up:
   * rows that only queries read, and that createIndexes can make from the other tables in one
   * statement, may be left to it (order search's person rows), as its indexes are.
   */
  readonly indexed: boolean;
}

/** The view through which queries read a projection's live generation. */
export function viewName(projection: Pick<Projection, 'name'>, table: string): string {
  return `${projection.name}_${table}`;
}

export function physicalTableName(projection: Pick<Projection, 'name'>, table: string, generation: number): string {
  return `${projection.name}_${table}_g${generation}`;
}

export function tableNames(projection: Pick<Projection, 'name' | 'tables'>, generation: number): TableNames {
  return {
    table(name: string): string {
      if (!projection.tables.includes(name)) throw new Error(`projection ${projection.name} declares no table ${name}`);
      return physicalTableName(projection, name, generation);
    },
  };
}

/**
 * The streams of a batch that may already have rows: those whose first event in the batch is
 * not the stream's first. A stream that starts in the batch has none in this generation, because
 * every event the generation applied lies at or before its checkpoint and this batch after it,
 * so handlers need not read (or upsert) what cannot be there.
 */
export function streamsSeenBefore<E extends Pick<RecordedEvent, 'stream' | 'revision'>>(batch: readonly E[]): Set<string> {
  const first = new Map<string, bigint>();
  for (const event of batch) if (!first.has(event.stream)) first.set(event.stream, event.revision);
  return new Set([...first].filter(([, revision]) => revision > 0n).map(([stream]) => stream));
}

/**
 * The rows a prepared batch starts from, by key, for the streams it has seen before (a stream
 * that starts in the batch has none yet): what the batch before leaves, where it leaves one,
 * else what `read` finds among the committed rows.
 */
export async function rowsBefore<E extends Pick<RecordedEvent, 'stream' | 'revision'>, Row>(
  events: readonly E[],
  keyOf: (event: E) => string,
  previous: PreparedBatch | undefined,
  read: (keys: string[]) => Promise<Iterable<[string, Row]>>,
): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  const seen = streamsSeenBefore(events);
  const toRead = new Set<string>();
  for (const event of events) {
    const key = keyOf(event);
    if (!seen.has(event.stream) || rows.has(key)) continue;
    const left = previous?.rows?.get(key) as Row | undefined;
    if (left) rows.set(key, left);
    else toRead.add(key);
  }
  if (toRead.size > 0) for (const [key, row] of await read([...toRead])) rows.set(key, row);
  return rows;
}

/**
 * For a long loop in prepareBatch: await the function it returns once per item, and every
 * `every` items it lets the event loop run. The batch before is being written meanwhile, and
 * each of its round trips (a COPY takes several) waits for Node to be free: a batch prepared in
 * one stretch of 50–100 ms held every write back by as long (measured: order detail's writes
 * took 49 s of a 64 s rebuild, 36 s with a turn every few hundred items).
 */
export function yielder(every = 250): () => Promise<void> | undefined {
  let calls = 0;
  return () => (++calls % every === 0 ? nextTurn() : undefined);
}
