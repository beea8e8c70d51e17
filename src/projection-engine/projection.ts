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
  /** Logical table names, each created by `createTables` as `ctx.table(name)`. */
  readonly tables: readonly string[];
  /**
   * DDL for one generation's tables (use `ctx.table(name)` for every name), with the keys and
   * indexes the handlers themselves need.
   */
  createTables(ctx: TableNames): string;
  /**
   * DDL for the indexes only queries need, each `CREATE INDEX IF NOT EXISTS` with its own name.
   * A new generation is filled without them and indexed once it has caught up, before the
   * swap: building an index over millions of rows once is far cheaper than keeping it up to
   * date row by row during a rebuild.
   */
  createIndexes?(ctx: TableNames): string;
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
   * Optional set-based form split in two, for a projection whose writes need nothing read from
   * its own tables first: the CPU work of a batch (decoding, folding, building statement
   * parameters) is done here and returns the writes, which run later in the batch's
   * transaction. The runner prepares the next batch while the previous one is being written,
   * so Node and PostgreSQL work at the same time. Must be pure: no I/O, nothing kept between
   * calls. A projection with it needs no handleBatch.
   */
  prepareBatch?(events: readonly RecordedEvent[]): PreparedWrites;
}

/** The writes of a prepared batch, run in the batch's transaction. */
export type PreparedWrites = (ctx: ProjectionContext) => Promise<void>;

export interface TableNames {
  /** Physical name of a logical table in the generation being written, e.g. `order_search_persons_g2`. */
  table(name: string): string;
}

export interface ProjectionContext extends TableNames {
  /** The batch's transaction: everything written here commits with the checkpoint, or not at all. */
  readonly db: Pick<PoolClient, 'query'>;
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
