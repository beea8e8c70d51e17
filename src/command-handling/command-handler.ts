import { LRUCache } from 'lru-cache';
import type { Decider, DomainEvent } from '../decider/decider';
import { eventIdFor } from '../event-store/event-id';
import {
  EventStore,
  NewEvent,
  RecordedEvent,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../event-store/event-store.port';
import { currentSchemaVersion, upcast, UpcasterRegistry } from '../event-store/upcasting';
import { ConcurrencyConflictError } from '../shared/domain-error';

/** Who asks, why, and when: everything a decider must not find out for itself. */
export interface CommandEnvelope {
  /** The client's idempotency key: the same id never acts twice. */
  commandId: string;
  correlationId?: string;
  causationId?: string;
  actor: { userId: string; organisation: string; role: string };
  /** ISO-8601 instant, stamped by the edge that received the command. */
  occurredAt: string;
  /**
   * The revision the client saw. When given, a stream that moved on is a conflict for the
   * client to resolve (a clerk editing a form), never silently re-decided.
   */
  expectedRevision?: bigint;
}

export interface CommandResult<State> {
  stream: string;
  /** The aggregate as the decider left it. */
  state: State;
  /** Events this command produced (the earlier ones when the command was a retry). */
  events: NewEvent[];
  /** Stream revision after the command; -1n when the stream still has no events. */
  revision: bigint;
  /** Global position of the command's last event, for read-your-writes; 0n when nothing was appended. */
  position: bigint;
  /** True when the command id had been handled before and nothing new was appended. */
  replayed: boolean;
}

export interface CommandHandlerOptions {
  /** How often a command is re-decided when another writer moved the stream first. */
  conflictRetries?: number;
  upcasters?: UpcasterRegistry;
  /** Streams whose folded state is kept between commands; 0 reads every stream afresh. */
  cacheSize?: number;
}

/** A stream folded up to `revision`, with the command ids already in it (idempotency). */
interface Snapshot<State> {
  revision: bigint;
  state: State;
  commandIds: ReadonlySet<string>;
  /** From the cache or assumed new: to be confirmed by the append's expected revision. */
  guessed: boolean;
}

/**
 * The one command pipeline: read stream → fold → decide → append with the expected revision
 * and the command's metadata. The decider stays pure; everything with I/O is here.
 */
export class CommandHandler<Command, Event extends DomainEvent, State> {
  private readonly conflictRetries: number;
  private readonly upcasters: UpcasterRegistry;
  /**
   * Folded streams of recent commands, so a clerk's next command on the same order needs no
   * read. A cached snapshot is only a guess: the append's expected revision still guards
   * every write, and any outcome other than a clean append is checked against the store.
   */
  private readonly cache?: LRUCache<string, Snapshot<State>>;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    options: CommandHandlerOptions = {},
  ) {
    this.conflictRetries = options.conflictRetries ?? 3;
    this.upcasters = options.upcasters ?? {};
    const cacheSize = options.cacheSize ?? 10_000;
    if (cacheSize > 0) this.cache = new LRUCache({ max: cacheSize });
  }

  /** Reads a stream (from a revision on) as current-version events, or [] when it does not exist. */
  async load(stream: string, fromRevision?: bigint): Promise<RecordedEvent[]> {
    try {
      return (await this.store.readStream(stream, fromRevision === undefined ? {} : { fromRevision })).map((event) => upcast(this.upcasters, event));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  fold(events: readonly RecordedEvent[], from: State = this.decider.initialState()): State {
    return events.reduce((state, event) => this.decider.evolve(state, { type: event.type, data: event.data } as Event), from);
  }

  async handle(stream: string, command: Command, envelope: CommandEnvelope): Promise<CommandResult<State>> {
    let guess = true;
    for (let attempt = 0; ; ) {
      // First a guess: the cached fold, or for a stream the cache does not know, a new stream
      // (commands that create orders then need no read; for any other the guess fails fast).
      const guessed = guess && this.cache ? (this.cache.get(stream) ?? this.newStream()) : undefined;
      // A client's revision that the guess does not match may just mean the guess is behind.
      const usable = guessed && (envelope.expectedRevision === undefined || envelope.expectedRevision === guessed.revision);
      const snapshot = usable ? guessed : await this.read(stream);
      guess = false;

      if (snapshot.commandIds.has(envelope.commandId)) return this.replay(stream, envelope);
      if (envelope.expectedRevision !== undefined && envelope.expectedRevision !== snapshot.revision) {
        throw new ConcurrencyConflictError(stream, envelope.expectedRevision.toString(), snapshot.revision.toString());
      }

      let decided: Event[];
      try {
        decided = this.decider.decide(command, snapshot.state);
      } catch (error) {
        if (snapshot.guessed) continue; // judged on a guess: judge again on the store's state
        throw error;
      }
      if (decided.length === 0) {
        if (snapshot.guessed) continue;
        return { stream, state: snapshot.state, events: [], revision: snapshot.revision, position: 0n, replayed: false };
      }

      const toAppend = decided.map((event, index) => this.toNewEvent(event, index, envelope));
      try {
        const appended = await this.store.append(stream, toAppend, snapshot.revision < 0n ? 'no_stream' : snapshot.revision);
        if (appended.replayed) {
          // Another attempt of this command got there first (a retry, another replica).
          this.cache?.delete(stream);
          return this.replay(stream, envelope);
        }
        const state = decided.reduce((s, event) => this.decider.evolve(s, event), snapshot.state);
        this.remember(stream, appended.nextRevision, state, new Set([...snapshot.commandIds, envelope.commandId]));
        return { stream, state, events: toAppend, revision: appended.nextRevision, position: appended.position, replayed: false };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache?.delete(stream);
        if (snapshot.guessed) continue; // the guess was behind: nobody's conflict yet
        // Re-deciding against the newer state keeps every rule checked; with a client's
        // expected revision it would overwrite what the client never saw, so that conflicts.
        if (envelope.expectedRevision !== undefined || attempt >= this.conflictRetries) {
          throw new ConcurrencyConflictError(stream, snapshot.revision.toString(), String(error.actual));
        }
        attempt++;
      }
    }
  }

  /**
   * The stream's current state and revision. Reads only the events after the cached fold, so
   * a long stream (a user's logins over years) costs its new events, not its whole history.
   */
  async current(stream: string): Promise<{ state: State; revision: bigint }> {
    const { state, revision } = await this.read(stream);
    return { state, revision };
  }

  /**
   * The store's truth, caught up from the cached fold: events are immutable, so a fold of
   * revisions 0..r stays the fold of 0..r whoever appended after it.
   */
  private async read(stream: string): Promise<Snapshot<State>> {
    const base = this.cache?.peek(stream);
    const newer = await this.load(stream, base ? base.revision + 1n : undefined);
    if (base && newer.length === 0) return { ...base, guessed: false };
    const commandIds = new Set(base?.commandIds);
    for (const event of newer) commandIds.add(event.metadata.commandId);
    const snapshot: Snapshot<State> = {
      revision: (base?.revision ?? -1n) + BigInt(newer.length),
      state: this.fold(newer, base?.state),
      commandIds,
      guessed: false,
    };
    this.remember(stream, snapshot.revision, snapshot.state, commandIds);
    return snapshot;
  }

  private newStream(): Snapshot<State> {
    return { revision: -1n, state: this.decider.initialState(), commandIds: new Set(), guessed: true };
  }

  /** A command id seen before: answer with what it did the first time. */
  private async replay(stream: string, envelope: CommandEnvelope): Promise<CommandResult<State>> {
    const history = await this.load(stream);
    const earlier = history.filter((event) => event.metadata.commandId === envelope.commandId);
    return {
      stream,
      state: this.fold(history),
      events: earlier,
      revision: BigInt(history.length - 1),
      position: earlier[earlier.length - 1].position,
      replayed: true,
    };
  }

  private remember(stream: string, revision: bigint, state: State, commandIds: ReadonlySet<string>): void {
    // A later command may already have cached a newer revision.
    if (!this.cache || (this.cache.peek(stream)?.revision ?? -1n) >= revision) return;
    this.cache.set(stream, { revision, state, commandIds, guessed: true });
  }

  private toNewEvent(event: Event, index: number, envelope: CommandEnvelope): NewEvent {
    return {
      id: eventIdFor(envelope.commandId, index),
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: {
        actorUserId: envelope.actor.userId,
        actorOrganisation: envelope.actor.organisation,
        actorRole: envelope.actor.role,
        commandId: envelope.commandId,
        correlationId: envelope.correlationId ?? envelope.commandId,
        causationId: envelope.causationId ?? envelope.commandId,
        occurredAt: envelope.occurredAt,
        schemaVersion: currentSchemaVersion(this.upcasters, event.type),
      },
    };
  }
}
