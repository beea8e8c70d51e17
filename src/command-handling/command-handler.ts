import type { Decider, DomainEvent } from '../decider/decider';
import { eventIdFor } from '../event-store/event-id';
import {
  EventStore,
  ExpectedRevision,
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
}

/**
 * The one command pipeline: read stream → fold → decide → append with the expected revision
 * and the command's metadata. The decider stays pure; everything with I/O is here.
 */
export class CommandHandler<Command, Event extends DomainEvent, State> {
  private readonly conflictRetries: number;
  private readonly upcasters: UpcasterRegistry;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    options: CommandHandlerOptions = {},
  ) {
    this.conflictRetries = options.conflictRetries ?? 3;
    this.upcasters = options.upcasters ?? {};
  }

  /** Reads a stream as current-version events, or [] when it does not exist. */
  async load(stream: string): Promise<RecordedEvent[]> {
    try {
      return (await this.store.readStream(stream)).map((event) => upcast(this.upcasters, event));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  fold(events: readonly RecordedEvent[]): State {
    return events.reduce(
      (state, event) => this.decider.evolve(state, { type: event.type, data: event.data } as Event),
      this.decider.initialState(),
    );
  }

  async handle(stream: string, command: Command, envelope: CommandEnvelope): Promise<CommandResult<State>> {
    for (let attempt = 0; ; attempt++) {
      const history = await this.load(stream);
      const revision = BigInt(history.length - 1);
      const state = this.fold(history);

      const earlier = history.filter((event) => event.metadata.commandId === envelope.commandId);
      if (earlier.length > 0) {
        return { stream, state, events: earlier, revision, position: earlier[earlier.length - 1].position, replayed: true };
      }
      if (envelope.expectedRevision !== undefined && envelope.expectedRevision !== revision) {
        throw new ConcurrencyConflictError(stream, envelope.expectedRevision.toString(), revision.toString());
      }

      const decided = this.decider.decide(command, state);
      if (decided.length === 0) {
        return { stream, state, events: [], revision, position: 0n, replayed: false };
      }
      const toAppend = decided.map((event, index) => this.toNewEvent(event, index, envelope));
      const expected: ExpectedRevision = revision < 0n ? 'no_stream' : revision;
      try {
        const appended = await this.store.append(stream, toAppend, expected);
        return {
          stream,
          state: decided.reduce((s, event) => this.decider.evolve(s, event), state),
          events: toAppend,
          revision: appended.nextRevision,
          position: appended.position,
          replayed: false,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Re-deciding against the newer state keeps every rule checked; with a client's
        // expected revision it would overwrite what the client never saw, so that conflicts.
        if (envelope.expectedRevision !== undefined || attempt >= this.conflictRetries) {
          throw new ConcurrencyConflictError(stream, revision.toString(), String(error.actual));
        }
      }
    }
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
