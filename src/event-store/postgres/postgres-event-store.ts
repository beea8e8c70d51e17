import { Client, ClientConfig, Pool, PoolClient } from 'pg';
import {
  AppendResult,
  DuplicateEventIdError,
  EventFilter,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadByStreamOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamCursor,
  StreamNotFoundError,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { appendSql, eventStoreSchemaSql, POSITION_TXID_FACTOR } from './postgres-event-store.schema';
import { runSchemaDdl } from '../../postgres/schema-ddl';

const NOTIFY_CHANNEL = 'es_appended';
const NOTIFY_INTERVAL_MS = 20;
const COLUMNS = 'position, id, stream, revision, type, data, metadata, recorded_at';

export interface PostgresEventStoreOptions {
  /** Events read per round trip by readAll and subscriptions. */
  batchSize?: number;
  /** How often a live subscription looks for new events when no notification arrives. */
  pollIntervalMs?: number;
  /** Connection for LISTEN, so subscribers wake when another process appends; else they poll. */
  listenConnection?: ClientConfig;
}

interface EventRow {
  position: string;
  id: string;
  stream: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

type Queryable = Pick<PoolClient, 'query'>;

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    stream: row.stream,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

function filterSql(filter: EventFilter | undefined, params: unknown[]): string {
  let sql = '';
  if (filter?.eventTypes) {
    params.push(filter.eventTypes);
    sql += ` AND type = ANY ($${params.length}::text[])`;
  }
  if (filter?.streamPrefixes) {
    // Prefixes are matched literally: escape LIKE's own wildcards.
    params.push(filter.streamPrefixes.map((p) => p.replace(/[\\%_]/g, '\\$&') + '%'));
    sql += ` AND stream LIKE ANY ($${params.length}::text[])`;
  }
  return sql;
}

/**
 * Appends inside a transaction the caller controls. The store's own append() uses it in
 * autocommit; tests use it to hold a transaction open and commit late.
 */
export async function appendWithin(
  db: Queryable,
  stream: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): Promise<AppendResult> {
  if (events.length === 0) throw new Error('append needs at least one event');
  if (BigInt(events.length) > POSITION_TXID_FACTOR) throw new Error(`one append may hold at most ${POSITION_TXID_FACTOR} events`);
  const exact = typeof expectedRevision === 'bigint';
  const { rows } = await db.query({
    name: 'es_append',
    text: appendSql,
    values: [
      stream,
      exact ? 'exact' : expectedRevision,
      exact ? expectedRevision.toString() : null,
      events.map((e) => e.id),
      events.map((e) => e.type),
      JSON.stringify(events.map((e) => e.data)),
      JSON.stringify(events.map((e) => e.metadata)),
    ],
  });
  if (rows.length > 0) {
    const last = rows[rows.length - 1];
    return { nextRevision: BigInt(last.revision), position: BigInt(last.position), replayed: false };
  }
  // Refused by the revision check: a retry of an append that is in already, or a conflict.
  const earlier = await earlierAppend(db, stream, events);
  if (earlier) return earlier;
  throw new WrongExpectedRevisionError(stream, expectedRevision, await currentRevision(db, stream));
}

async function currentRevision(db: Queryable, stream: string): Promise<bigint | 'no_stream'> {
  const { rows } = await db.query('SELECT es_revision($1) AS revision', [stream]);
  return rows[0].revision === null ? 'no_stream' : BigInt(rows[0].revision);
}

/** The result of an earlier append of the same event ids, or undefined. */
async function earlierAppend(db: Queryable, stream: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
  try {
    const { rows } = await db.query('SELECT next_revision, last_position FROM es_existing($1, $2::uuid[])', [
      stream,
      events.map((e) => e.id),
    ]);
    if (rows.length === 0) return undefined;
    return { nextRevision: BigInt(rows[0].next_revision), position: BigInt(rows[0].last_position), replayed: true };
  } catch (error) {
    const pgError = error as { code?: string; detail?: string };
    if (pgError.code === 'ES002') throw new DuplicateEventIdError(events[0].id, pgError.detail ?? stream);
    throw error;
  }
}

export class PostgresEventStore implements EventStore {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly wakers = new Set<() => void>();
  private closed = false;
  private listener?: Promise<Client>;
  private notify: 'idle' | 'cooling' | 'again' = 'idle';

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, eventStoreSchemaSql);
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await appendWithin(this.pool, stream, events, expectedRevision);
        if (!result.replayed) this.announceAppend();
        return result;
      } catch (error) {
        const constraint = (error as { constraint?: string }).constraint;
        if (constraint !== 'es_events_id_key' && constraint !== 'es_events_stream_revision_key') throw error;
        // Another writer committed first. The same event ids mean a retry of this append.
        const earlier = await earlierAppend(this.pool, stream, events);
        if (earlier) return earlier;
        // `any` accepts whatever revision the stream is at now: try again on top of it.
        if (expectedRevision === 'any' && attempt < 10) continue;
        throw new WrongExpectedRevisionError(stream, expectedRevision, await currentRevision(this.pool, stream));
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [stream];
    let where = 'e.stream = $1';
    if (options.fromRevision !== undefined) {
      params.push(options.fromRevision.toString());
      where += ` AND e.revision ${backwards ? '<=' : '>='} $${params.length}`;
    }
    if (options.toRevision !== undefined) {
      params.push(options.toRevision.toString());
      where += ` AND e.revision ${backwards ? '>=' : '<='} $${params.length}`;
    }
    if (options.recordedUpTo !== undefined) {
      params.push(options.recordedUpTo);
      where += ` AND e.recorded_at <= $${params.length}`;
    }
    let limit = '';
    if (options.maxCount !== undefined) {
      params.push(options.maxCount);
      limit = ` LIMIT $${params.length}`;
    }
    // One round trip: no row at all means no stream; one row of nulls, an empty range.
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.* FROM (SELECT 1 FROM es_events WHERE stream = $1 LIMIT 1) s
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM es_events e WHERE ${where} ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'}${limit}
         ) e ON TRUE`,
      params,
    );
    if (rows.length === 0) throw new StreamNotFoundError(stream);
    return rows.filter((row) => row.id !== null).map(toRecorded);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    let cursor = options.fromPosition;
    let remaining = options.maxCount ?? Infinity;
    while (remaining > 0) {
      const batch = await this.readBatch(cursor, backwards, options.filter, Math.min(this.batchSize, remaining));
      for (const event of batch) yield event;
      if (batch.length === 0) return;
      remaining -= batch.length;
      cursor = batch[batch.length - 1].position;
    }
  }

  /** By the (stream, revision) key's index; the next page is read while the caller works through this one. */
  async *readByStream(options: ReadByStreamOptions): AsyncIterable<RecordedEvent> {
    const page = (after: StreamCursor | undefined) => {
      const params: unknown[] = [options.toPosition.toString()];
      let where = 'position <= $1';
      if (after) {
        params.push(after.stream, after.revision.toString());
        where += ' AND (stream, revision) > ($2, $3)';
      }
      where += filterSql(options.filter, params);
      params.push(this.batchSize);
      return this.pool
        .query<EventRow>(`SELECT ${COLUMNS} FROM es_events WHERE ${where} ORDER BY stream, revision LIMIT $${params.length}`, params)
        .then(({ rows }) => rows.map(toRecorded));
    };
    let next: Promise<RecordedEvent[]> | undefined = page(options.after);
    try {
      while (next) {
        const batch: RecordedEvent[] = await next;
        const last = batch[batch.length - 1];
        next = batch.length === this.batchSize ? page({ stream: last.stream, revision: last.revision }) : undefined;
        yield* batch;
      }
    } finally {
      next?.catch(() => undefined); // abandoned when the caller stops early
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    let closed = false;
    let wake: (() => void) | undefined;
    // An append between our read and our wait must not be slept through.
    let pending = false;
    const waker = () => {
      pending = true;
      wake?.();
    };
    this.wakers.add(waker);
    const store = this;
    async function* events(): AsyncGenerator<RecordedEvent> {
      let checkpoint = options.fromPosition;
      let prefetched: Promise<RecordedEvent[]> | undefined;
      try {
        await store.listen();
        while (!closed && !store.closed) {
          pending = false;
          const batch = await (prefetched ?? store.readBatch(checkpoint, false, options.filter, store.batchSize));
          prefetched = undefined;
          const full = batch.length === store.batchSize;
          // Catching up: read the next batch while the consumer works through this one.
          if (full) prefetched = store.readBatch(batch[batch.length - 1].position, false, options.filter, store.batchSize);
          for (const event of batch) {
            if (closed || store.closed) return;
            yield event;
            checkpoint = event.position;
          }
          if (!full && !closed && !store.closed && !pending) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, store.pollIntervalMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
          }
        }
      } finally {
        store.wakers.delete(waker);
        prefetched?.catch(() => undefined); // abandoned on close: its result or error no longer matters
      }
    }
    const iterator = events();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        closed = true;
        waker();
        store.wakers.delete(waker);
      },
    };
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query(
      'SELECT coalesce(max(position), 0) AS head FROM es_events WHERE position < es_horizon()',
    );
    return BigInt(rows[0].head);
  }

  async countEvents(options: { fromPosition?: bigint; filter?: EventFilter } = {}): Promise<number> {
    const params: unknown[] = [(options.fromPosition ?? 0n).toString()];
    const where = `position > $1 AND position < es_horizon()${filterSql(options.filter, params)}`;
    const { rows } = await this.pool.query(`SELECT count(*)::bigint AS n FROM es_events WHERE ${where}`, params);
    return Number(rows[0].n);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await (await listener).end().catch(() => undefined);
  }

  private async readBatch(
    after: bigint | undefined,
    backwards: boolean,
    filter: EventFilter | undefined,
    limit: number,
  ): Promise<RecordedEvent[]> {
    const params: unknown[] = [];
    let where = backwards ? 'TRUE' : 'position < es_horizon()';
    if (after !== undefined) {
      params.push(after.toString());
      where += ` AND position ${backwards ? '<' : '>'} $${params.length}`;
    }
    where += filterSql(filter, params);
    params.push(limit);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM es_events WHERE ${where} ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecorded);
  }

  /** Wakes local subscribers at once and other processes through NOTIFY. */
  private announceAppend(): void {
    for (const wake of this.wakers) wake();
    if (this.notify === 'idle') this.sendNotify();
    else this.notify = 'again';
  }

  /**
   * NOTIFY inside the append transaction would serialise every commit on a database-wide lock.
   * Sent after it instead, at most once per NOTIFY_INTERVAL_MS: writers pay next to nothing and
   * other processes' subscribers wake at most that much later (they also poll).
   */
  private sendNotify(): void {
    this.notify = 'cooling';
    this.pool
      .query(`SELECT pg_notify('${NOTIFY_CHANNEL}', '')`)
      .catch(() => undefined) // a lost wake-up only delays subscribers until their next poll
      .finally(() => {
        setTimeout(() => {
          const again = this.notify === 'again' && !this.closed;
          this.notify = 'idle';
          if (again) this.sendNotify();
        }, NOTIFY_INTERVAL_MS).unref();
      });
  }

  private listen(): Promise<Client> | undefined {
    if (!this.options.listenConnection) return undefined;
    this.listener ??= (async () => {
      const client = new Client(this.options.listenConnection);
      client.on('notification', () => {
        for (const wake of this.wakers) wake();
      });
      client.on('error', () => {
        // Polling keeps subscriptions alive; the next store instance listens afresh.
        this.listener = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return client;
    })();
    return this.listener;
  }
}
