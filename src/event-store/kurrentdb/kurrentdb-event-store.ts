import {
  ANY,
  AllStreamSubscription,
  AppendStreamState,
  BACKWARDS,
  END,
  FORWARDS,
  Filter,
  KurrentDBClient,
  NO_STREAM,
  Position,
  RecordedEvent as KurrentRecordedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError as KurrentStreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
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

/*
 * Positions. Our global position is the event's $all commit position. Every event this adapter
 * writes goes through a gRPC append, which the server stores as prepare records committed in
 * place (separate commit records only exist for explicit transactions of the retired TCP API).
 * For such an event the commit and prepare positions are both its own log position, so the
 * commit position alone is unique per event and grows in $all order, and {commit: p, prepare: p}
 * is exactly the position of the event we handed out as p. Resuming from it is therefore exact.
 */

const READ_ALL_PAGE_SIZE = 500;

/** What the server sends when it cannot tell an event's $all position (servers before 22.6). */
const UNKNOWN_POSITION = 2n ** 64n - 1n;

function logPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

function globalPosition(event: KurrentRecordedEvent): bigint {
  const commit = event.position?.commit;
  if (commit === undefined || commit < 0n || commit === UNKNOWN_POSITION) {
    throw new Error(
      `KurrentDB gave no $all position for event ${event.id} of ${event.streamId}; EventStoreDB 22.10 or later is required`,
    );
  }
  return commit;
}

function toRecorded(event: KurrentRecordedEvent): RecordedEvent {
  return {
    id: event.id,
    stream: event.streamId,
    revision: event.revision,
    position: globalPosition(event),
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as unknown as EventMetadata,
    recordedAt: event.created,
  };
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return expected;
  }
}

/** System streams (`$…`, including `$$…` metadata streams) and system event types are not ours. */
function isDomainEvent(event: KurrentRecordedEvent): boolean {
  return !event.streamId.startsWith('$') && !event.type.startsWith('$');
}

/** Both dimensions must match when both are given; an empty list matches nothing. */
function matches(event: KurrentRecordedEvent, filter: EventFilter | undefined): boolean {
  if (!isDomainEvent(event)) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter?.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) {
    return false;
  }
  return true;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A server-side filter covers one dimension only. Event types go to the server when given (the
 * narrower choice for our readers); matches() then applies everything client-side as well.
 */
function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.eventTypes?.length) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  if (filter?.streamPrefixes?.length) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  return excludeSystemEvents();
}

export class KurrentDbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly client: KurrentDBClient) {}

  /** e.g. `kurrentdb://localhost:2113?tls=false`. Reading $all needs an admin or ops user on a secure server. */
  static connect(connectionString: string): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString));
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    // KurrentDB only recognises a repeated append when it is retried at the same expected
    // revision (or, best effort, with `any`). A retried command re-decided on the newer state
    // carries a newer expected revision and would be appended twice, so look first. A stream
    // that must not exist cannot hold the ids yet: the server's own check covers that case.
    if (expectedRevision !== 'no_stream') {
      const earlier = await this.findEarlierAppend(stream, events);
      if (earlier) return earlier;
    }
    let result;
    try {
      result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: { ...event.metadata } }),
        ),
        { streamState: toStreamState(expectedRevision) },
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        // A concurrent retry of the same command may have won the race: that is not a conflict.
        const earlier = await this.findEarlierAppend(stream, events);
        if (earlier) return earlier;
        throw new WrongExpectedRevisionError(stream, expectedRevision, error.actualState);
      }
      throw error;
    }
    if (result.position === undefined) {
      // The server saw the ids itself and appended nothing; it reports no position then.
      const earlier = await this.findEarlierAppend(stream, events);
      if (!earlier) throw new Error(`KurrentDB acknowledged an append to ${stream} without a position`);
      return earlier;
    }
    // The append's position is the commit position of its last event.
    return { nextRevision: result.nextExpectedRevision, position: result.position.commit, replayed: false };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? Infinity;
    const events: RecordedEvent[] = [];
    try {
      const reader = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        // recordedUpTo drops events client-side, so the server may not stop counting early;
        // at least one, because a missing stream must still raise StreamNotFoundError.
        ...(options.maxCount !== undefined && options.recordedUpTo === undefined
          ? { maxCount: Math.max(options.maxCount, 1) }
          : {}),
      });
      for await (const { event } of reader) {
        if (!event) continue;
        if (options.toRevision !== undefined) {
          if (backwards ? event.revision < options.toRevision : event.revision > options.toRevision) break;
        }
        if (options.recordedUpTo !== undefined && event.created > options.recordedUpTo) continue;
        if (events.length >= limit) break;
        events.push(toRecorded(event));
      }
    } catch (error) {
      if (error instanceof KurrentStreamNotFoundError) throw new StreamNotFoundError(stream);
      throw error;
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const filter = options.filter;
    if (filter?.eventTypes?.length === 0 || filter?.streamPrefixes?.length === 0) return;
    let after = options.fromPosition;
    let remaining = options.maxCount ?? Infinity;
    // Paged, so that events dropped client-side (the second filter dimension, system events,
    // the event at the start position) never make a page's server-side count fall short.
    while (remaining > 0) {
      if (backwards && after === 0n) return;
      const reader = this.client.readAll({
        direction: backwards ? BACKWARDS : FORWARDS,
        fromPosition: after === undefined || after === 0n ? (backwards ? END : START) : logPosition(after),
        filter: serverFilter(filter),
        maxCount: READ_ALL_PAGE_SIZE,
      });
      let received = 0;
      for await (const { event } of reader) {
        received++;
        if (!event) continue;
        const position = globalPosition(event);
        // Exclusive bound, whichever way the server treats its start position.
        if (after !== undefined && (backwards ? position >= after : position <= after)) continue;
        after = position;
        if (!matches(event, filter)) continue;
        yield toRecorded(event);
        if (--remaining <= 0) return;
      }
      if (received < READ_ALL_PAGE_SIZE) return;
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const client = this.client;
    const subscriptions = this.subscriptions;
    const after = options.fromPosition;
    let closed = false;
    let source: AllStreamSubscription | undefined;

    const stop = async (): Promise<void> => {
      closed = true;
      subscriptions.delete(subscription);
      const current = source;
      source = undefined;
      if (current) {
        // Rejects only when the stream never opened; the iterator has reported that already.
        await current.unsubscribe().catch(() => undefined);
        // Ends a `for await` that is waiting for the next live event.
        current.destroy();
      }
    };

    async function* events(): AsyncGenerator<RecordedEvent> {
      if (closed) return;
      // Opened on first use, so a subscription that is never iterated holds no server stream.
      const current = client.subscribeToAll({
        fromPosition: after === undefined || after === 0n ? START : logPosition(after),
        filter: serverFilter(options.filter),
      });
      source = current;
      // Errors reach the iterator through its own listener; this one only keeps a late error
      // from an already closed subscription from becoming an uncaught exception.
      current.on('error', () => undefined);
      try {
        for await (const { event } of current) {
          if (closed) return;
          if (!event || !matches(event, options.filter)) continue;
          // The server starts after fromPosition; dropping it here keeps that guarantee ours.
          if (after !== undefined && globalPosition(event) <= after) continue;
          yield toRecorded(event);
          if (closed) return;
        }
      } catch (error) {
        if (!closed) throw error; // destroy() on close() ends the iterator with a premature-close error
      } finally {
        await stop();
      }
    }

    const iterator = events();
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      close: stop,
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    const reader = this.client.readAll({ direction: BACKWARDS, fromPosition: END, filter: excludeSystemEvents() });
    for await (const { event } of reader) {
      if (event && isDomainEvent(event)) return globalPosition(event);
    }
    return 0n;
  }

  /** KurrentDB keeps no counts: this reads the matching events, so keep it for progress and status. */
  async countEvents(options: { fromPosition?: bigint; filter?: EventFilter } = {}): Promise<number> {
    let count = 0;
    for await (const _ of this.readAll({ fromPosition: options.fromPosition, filter: options.filter })) count++;
    return count;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /**
   * The result of an earlier append of these event ids to this stream, read back from the
   * stream (newest first), or undefined when none of them is there. KurrentDB keeps no index of
   * event ids, so an id reused in another stream cannot be detected here.
   */
  private async findEarlierAppend(stream: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const wanted = new Set(events.map((event) => event.id.toLowerCase()));
    const found: KurrentRecordedEvent[] = [];
    try {
      for await (const { event } of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END })) {
        if (!event || !wanted.has(event.id.toLowerCase())) continue;
        found.push(event);
        if (found.length === wanted.size) break;
      }
    } catch (error) {
      if (error instanceof KurrentStreamNotFoundError) return undefined;
      throw error;
    }
    if (found.length === 0) return undefined;
    if (found.length !== wanted.size) throw new DuplicateEventIdError(found[0].id, stream);
    const last = found[0];
    return { nextRevision: last.revision, position: globalPosition(last), replayed: true };
  }
}
