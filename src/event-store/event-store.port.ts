/**
 * The event store port. Two adapters implement it (PostgreSQL, the embedded default, and
 * KurrentDB/EventStoreDB) and both must pass test/event-store/conformance.ts.
 *
 * Positions are global and only grow in delivery order; they need not be contiguous.
 * Subscriptions and checkpoints are exclusive: "from position P" means events after P.
 */

/** `no_stream`: stream must not exist; `exists`: must exist; `any`: no check; bigint: exact last revision. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/** Metadata carried by every event (DESIGN.md §2). */
export interface EventMetadata {
  actorUserId: string;
  actorOrganisation: string;
  actorRole: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** ISO-8601 instant taken from the command, never read inside a decider. */
  occurredAt: string;
  schemaVersion: number;
}

export interface NewEvent {
  /** Deterministic from the command id (see event-id.ts), so a retried command is recognised. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  stream: string;
  revision: bigint;
  position: bigint;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** When the store recorded it (store clock); occurredAt in metadata is the business time. */
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: bigint;
  /** Global position of the last appended event. */
  position: bigint;
  /** True when these event ids were already in the stream: nothing was appended, the result is the first append's. */
  replayed: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards default 0; backwards default the last revision. */
  fromRevision?: bigint;
  /** Inclusive upper (forwards) or lower (backwards) bound. */
  toRevision?: bigint;
  /** Only events recorded at or before this instant (time travel). */
  recordedUpTo?: Date;
  maxCount?: number;
}

export interface EventFilter {
  eventTypes?: readonly string[];
  /** e.g. `order-` matches every order stream. */
  streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  direction?: 'forwards' | 'backwards';
  /** Exclusive: events strictly after (forwards) or before (backwards) this position. */
  fromPosition?: bigint;
  filter?: EventFilter;
  maxCount?: number;
}

/** One event of a stream, as a by-stream read goes on after it. */
export interface StreamCursor {
  stream: string;
  revision: bigint;
}

export interface ReadByStreamOptions {
  /** Inclusive: only events at or before this position, which must be one subscribers have seen (headPosition). */
  toPosition: bigint;
  /** Exclusive: go on after this event, the last one a reader before applied. */
  after?: StreamCursor;
  filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint; undefined means from the very beginning. */
  fromPosition?: bigint;
  filter?: EventFilter;
}

/**
 * Catch-up then live. Iterate with `for await`; the iterator applies back-pressure (the next
 * batch is read only when the consumer asks). close() ends the iteration.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Throws StreamNotFoundError when the stream has no events. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribe(options?: SubscribeOptions): Subscription;
  /**
   * Optional: every event up to a position grouped by stream, each stream's events in revision
   * order and the streams in an order of the store's choosing that `after` continues. A rebuild
   * of a projection whose rows depend only on their own stream's events then folds each stream
   * in one go and writes each row once, instead of once for every batch the stream's events
   * are spread over in position order. A store that cannot read so leaves it out.
   */
  readByStream?(options: ReadByStreamOptions): AsyncIterable<RecordedEvent>;
  /** Position of the newest event visible to subscribers, 0n when empty. */
  headPosition(): Promise<bigint>;
  /** How many events match, after an exclusive position: progress and lag of projections. */
  countEvents(options?: { fromPosition?: bigint; filter?: EventFilter }): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Last revision in the stream, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly stream: string) {
    super(`stream ${stream} not found`);
  }
}

/** The same event id was already appended with different content or to another stream. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly eventId: string, readonly stream: string) {
    super(`event ${eventId} already exists in stream ${stream}`);
  }
}
