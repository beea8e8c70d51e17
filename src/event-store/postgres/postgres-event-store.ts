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
  ReadStreamOptions,
  RecordedEvent,
  StreamNotFoundError,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { eventStoreSchemaSql } from './postgres-event-store.schema';
import { runSchemaDdl } from '../../postgres/schema-ddl';

const NOTIFY_CHANNEL = 'es_appended';
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

function storeError(error: unknown, stream: string, events: readonly NewEvent[], expected: ExpectedRevision): unknown {
  const pgError = error as { code?: string; detail?: string };
  if (pgError.code === 'ES001') {
    const actual = pgError.detail === 'no_stream' ? 'no_stream' : BigInt(pgError.detail!);
    return new WrongExpectedRevisionError(stream, expected, actual);
  }
  if (pgError.code === 'ES002') return new DuplicateEventIdError(events[0].id, pgError.detail ?? stream);
  return error;
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
  try {
    const { rows } = await db.query(
      'SELECT next_revision, last_position, replayed FROM es_append($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
      [
        stream,
        String(expectedRevision),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    );
    return { nextRevision: BigInt(rows[0].next_revision), position: BigInt(rows[0].last_position), replayed: rows[0].replayed };
  } catch (error) {
    throw storeError(error, stream, events, expectedRevision);
  }
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
    throw storeError(error, stream, events, 'any');
  }
}

export class PostgresEventStore implements EventStore {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly wakers = new Set<() => void>();
  private closed = false;
  private listener?: Promise<Client>;
  private notifyInFlight = false;
  private notifyAgain = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, 'event-store', eventStoreSchemaSql);
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = await appendWithin(this.pool, stream, events, expectedRevision);
    } catch (error) {
      // A retried command whose revision check passed (`any`, `exists`) trips the unique
      // event id instead: answer with the first append's result.
      if ((error as { constraint?: string }).constraint !== 'es_events_id_key') throw error;
      const earlier = await earlierAppend(this.pool, stream, events);
      if (!earlier) throw error;
      return earlier;
    }
    this.announceAppend();
    return result;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [stream];
    let where = 'e.stream = s.stream';
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
      `SELECT e.* FROM es_streams s
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM es_events e WHERE ${where} ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'}${limit}
         ) e ON TRUE
       WHERE s.stream = $1`,
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
      try {
        await store.listen();
        while (!closed && !store.closed) {
          pending = false;
          const batch = await store.readBatch(checkpoint, false, options.filter, store.batchSize);
          for (const event of batch) {
            if (closed || store.closed) return;
            yield event;
            checkpoint = event.position;
          }
          if (batch.length < store.batchSize && !closed && !store.closed && !pending) {
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
    // NOTIFY inside the append transaction would take a database-wide lock at every commit;
    // one outside it, coalesced to at most one in flight, costs the writers nothing.
    if (this.notifyInFlight) {
      this.notifyAgain = true;
      return;
    }
    this.notifyInFlight = true;
    this.pool
      .query(`SELECT pg_notify('${NOTIFY_CHANNEL}', '')`)
      .catch(() => undefined) // subscribers also poll; a lost wake-up only delays them
      .finally(() => {
        this.notifyInFlight = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.announceAppend();
        }
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
