import { EventStore, ReadStreamOptions, RecordedEvent, StreamNotFoundError } from '../event-store/event-store.port';
import { upcast, UpcasterRegistry } from '../event-store/upcasting';
import { DraftOrderData } from './order-data';
import { orderStream } from './order.decider';
import {
  Cancellation,
  CarposTransactionType,
  evolve,
  initialOrderState,
  OrderEvent,
  OrderEventType,
  OrderImage,
  OrderLock,
  OrderState,
  OrderStatus,
  Service,
} from './order.events';

/**
 * An order as a clerk sees it (View Protective Order), built from its events. The order detail
 * read model stores the fold `foldOrderEvent` makes and answers with `toOrderDetail` of it;
 * `orderAsOf` folds the same events through the same functions, so "the order as of revision r"
 * is what the read model showed at r by construction, not by a second implementation that has
 * to be kept in step.
 */

/**
 * The order streams' upcasters, used by the read models and by time travel alike so both see one
 * shape per event type. Empty: no order event has changed shape yet.
 */
export const orderUpcasters: UpcasterRegistry = {};

// A record rather than a list, so adding an event type to OrderEvent fails to compile until it is here.
const eventTypes: Record<OrderEventType, true> = {
  OrderDrafted: true,
  OrderAdded: true,
  OrderModified: true,
  OrderCloned: true,
  OrderServed: true,
  OrderCancelled: true,
  OrderSealed: true,
  OrderUnsealed: true,
  OrderLocked: true,
  OrderUnlocked: true,
  ImageAttached: true,
  OrderExpired: true,
  CarposTransactionAccepted: true,
  CarposTransactionRejected: true,
};
export const ORDER_EVENT_TYPES = Object.keys(eventTypes) as readonly OrderEventType[];

const ORDER_STREAM_PREFIX = orderStream('');

/** A recorded event of an order stream, upcast, with its type and data typed as an OrderEvent. */
export type RecordedOrderEvent = Omit<RecordedEvent, 'type' | 'data'> & OrderEvent & { orderId: string };

/**
 * The order event inside a recorded event, or undefined when it belongs to another stream: other
 * aggregates (Quick Attach) may one day use an event type of the same name.
 */
export function recordedOrderEvent(recorded: RecordedEvent, upcasters: UpcasterRegistry = orderUpcasters): RecordedOrderEvent | undefined {
  if (!recorded.stream.startsWith(ORDER_STREAM_PREFIX)) return undefined;
  return { ...upcast(upcasters, recorded), orderId: recorded.stream.slice(ORDER_STREAM_PREFIX.length) } as RecordedOrderEvent;
}

/** Who did something and when, from the event metadata (occurredAt: the command's time). */
export interface ActorStamp {
  at: string;
  userId: string;
  organisation: string;
}

/** What the detail needs beyond OrderState, accumulated from event metadata. */
export interface OrderDetailMeta {
  /** Stream revision of the last event folded in. */
  revision: number;
  created: ActorStamp;
  updated: ActorStamp;
  /** OrderState keeps DOJ's last answer but not when it came. */
  carposAnsweredAt: string | null;
}

/** The running fold of one order's stream: what the detail read model keeps per order. */
export interface OrderFold {
  state: OrderState;
  meta: OrderDetailMeta;
}

/** DOJ's last answer, one shape for both outcomes so a screen needs no type switch. */
export interface CarposAnswerDetail {
  accepted: boolean;
  transactionType: CarposTransactionType;
  tcn: string;
  fcn: string | null;
  code: string | null;
  message: string | null;
  inputEcho: string | null;
  answeredAt: string;
}

/** Plain JSON (null, never undefined), so it survives a jsonb round trip unchanged. */
export interface OrderDetail {
  orderId: string;
  /** The stream revision shown: what a client passes back as its expected revision. */
  revision: number;
  status: Exclude<OrderStatus, 'NONE'>;
  sealed: boolean;
  data: DraftOrderData;
  services: Service[];
  images: OrderImage[];
  /** Kept after its expiry, as in the order's state: whether it still binds depends on the reader's clock. */
  lock: OrderLock | null;
  carpos: { submitted: boolean; fcn: string | null; lastAnswer: CarposAnswerDetail | null };
  cancellation: Cancellation | null;
  clonedFrom: string | null;
  created: ActorStamp;
  /** The last event of any kind, DOJ answers and locks included: it matches `revision`. */
  updated: ActorStamp;
}

/** Folds one more event; `previous` is undefined for the stream's first event. */
export function foldOrderEvent(previous: OrderFold | undefined, event: RecordedOrderEvent): OrderFold {
  const stamp: ActorStamp = {
    at: event.metadata.occurredAt,
    userId: event.metadata.actorUserId,
    organisation: event.metadata.actorOrganisation,
  };
  const isDojAnswer = event.type === 'CarposTransactionAccepted' || event.type === 'CarposTransactionRejected';
  return {
    state: evolve(previous?.state ?? initialOrderState(), event),
    meta: {
      revision: Number(event.revision),
      created: previous?.meta.created ?? stamp,
      updated: stamp,
      carposAnsweredAt: isDojAnswer ? stamp.at : (previous?.meta.carposAnsweredAt ?? null),
    },
  };
}

export function toOrderDetail(orderId: string, state: OrderState, meta: OrderDetailMeta): OrderDetail {
  const { status, data, carpos } = state;
  // Every order stream starts with OrderDrafted, OrderAdded or OrderCloned; anything else is a broken stream.
  if (status === 'NONE' || data === null) throw new Error(`order ${orderId} has no drafting, adding or cloning event`);
  const answer = carpos.lastAnswer;
  return {
    orderId,
    revision: meta.revision,
    status,
    sealed: state.sealed,
    data,
    services: state.services,
    images: state.images,
    lock: state.lock,
    carpos: {
      submitted: carpos.submitted,
      fcn: carpos.fcn,
      lastAnswer: answer && {
        accepted: answer.accepted,
        transactionType: answer.transactionType,
        tcn: answer.tcn,
        fcn: answer.accepted ? answer.fcn : null,
        code: answer.accepted ? null : answer.code,
        message: answer.accepted ? null : answer.message,
        inputEcho: answer.accepted ? null : answer.inputEcho,
        // Set by the same fold step that set lastAnswer.
        answeredAt: meta.carposAnsweredAt!,
      },
    },
    cancellation: state.cancellation,
    clonedFrom: state.clonedFrom,
    created: meta.created,
    updated: meta.updated,
  };
}

/**
 * A point in an order's history: after a stream revision, or as the registry knew it at an
 * instant (the store's recording time, not the business time in the metadata).
 */
export type AsOf = { revision: number } | { at: Date };

/**
 * The order as it stood at `asOf`, folded from the event store (not from a read model), in the
 * same shape as the order detail read model. Undefined when the order did not exist yet (or
 * never did), so callers answer NOT_FOUND exactly as for a current order. A revision past the
 * last one gives the current order; `revision` in the result says which one is shown.
 */
export async function orderAsOf(
  store: Pick<EventStore, 'readStream'>,
  orderId: string,
  asOf: AsOf,
  upcasters: UpcasterRegistry = orderUpcasters,
): Promise<OrderDetail | undefined> {
  const range: ReadStreamOptions = 'revision' in asOf ? { toRevision: BigInt(asOf.revision) } : { recordedUpTo: asOf.at };
  let recorded: RecordedEvent[];
  try {
    recorded = await store.readStream(orderStream(orderId), range);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
  let fold: OrderFold | undefined;
  for (const event of recorded) fold = foldOrderEvent(fold, recordedOrderEvent(event, upcasters)!);
  return fold && toOrderDetail(orderId, fold.state, fold.meta);
}
