import { DomainEvent } from '../decider/decider';
import { DraftOrderData, FieldChange, OrderData } from './order-data';

/**
 * Events of the `order-<uuid>` stream. Past-tense facts with legal meaning; data is plain
 * JSON (ISO strings for instants, YYYY-MM-DD for court dates). Who and when the actor acted
 * travel in the event metadata; times that belong to the fact itself (served at, lock expiry)
 * are data. A stored event's shape never changes: a new shape is a new version with an upcaster.
 */

/** How proof of service says the restrained person was served. IN_COURT: present at the hearing. */
export const SERVICE_METHODS = ['PERSONAL', 'SUBSTITUTED', 'MAIL', 'IN_COURT', 'OTHER'] as const;
export type ServiceMethod = (typeof SERVICE_METHODS)[number];

export const CANCELLATION_REASONS = [
  'TERMINATED_BY_COURT', 'ENTERED_IN_ERROR', 'RESTRAINED_PERSON_DECEASED', 'SUPERSEDED', 'OTHER',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const CARPOS_TRANSACTION_TYPES = ['ENTER', 'MODIFY', 'SERVICE', 'CANCEL'] as const;
export type CarposTransactionType = (typeof CARPOS_TRANSACTION_TYPES)[number];

export const IMAGE_CONTENT_TYPES = ['application/pdf', 'image/tiff', 'image/png', 'image/jpeg'] as const;
export type ImageContentType = (typeof IMAGE_CONTENT_TYPES)[number];

export interface Service {
  servedAt: string;
  method: ServiceMethod;
  servedBy: string;
  agency: string;
  notes?: string;
}

export interface Cancellation {
  reason: CancellationReason;
  /** Required when reason is OTHER. */
  reasonText?: string;
}

/** An image already stored in the blob store by content hash (DESIGN §6); the event holds metadata only. */
export interface OrderImage {
  sha256: string;
  contentType: ImageContentType;
  sizeBytes: number;
  pageCount?: number;
  fileName?: string;
}

export type OrderDrafted = DomainEvent<'OrderDrafted', { orderId: string; data: DraftOrderData }>;
export type OrderAdded = DomainEvent<
  'OrderAdded',
  { orderId: string; data: OrderData; submitToCarpos: boolean; fromDraft: boolean }
>;
/** `data` is the whole order after the change, so projections need not re-apply the diff. */
export type OrderModified = DomainEvent<'OrderModified', { changes: FieldChange[]; data: DraftOrderData }>;
/** First event of the NEW stream; the source stream gets nothing. */
export type OrderCloned = DomainEvent<
  'OrderCloned',
  { orderId: string; clonedFrom: string; data: OrderData; submitToCarpos: boolean }
>;
export type OrderServed = DomainEvent<'OrderServed', Service>;
export type OrderCancelled = DomainEvent<'OrderCancelled', Cancellation>;
export type OrderSealed = DomainEvent<'OrderSealed', Record<string, never>>;
export type OrderUnsealed = DomainEvent<'OrderUnsealed', Record<string, never>>;
export type OrderLocked = DomainEvent<
  'OrderLocked',
  { lockedBy: string; lockedByOrganisation: string; lockedAt: string; expiresAt: string }
>;
/** forced: an administrator removed a lock someone else held. */
export type OrderUnlocked = DomainEvent<'OrderUnlocked', { unlockedBy: string; forced: boolean }>;
export type ImageAttached = DomainEvent<'ImageAttached', { image: OrderImage }>;
export type OrderExpired = DomainEvent<'OrderExpired', { asOfDate: string }>;
export type CarposTransactionAccepted = DomainEvent<
  'CarposTransactionAccepted',
  { tcn: string; transactionType: CarposTransactionType; fcn: string }
>;
export type CarposTransactionRejected = DomainEvent<
  'CarposTransactionRejected',
  { tcn: string; transactionType: CarposTransactionType; code: string; message: string; inputEcho: string }
>;

export type OrderEvent =
  | OrderDrafted
  | OrderAdded
  | OrderModified
  | OrderCloned
  | OrderServed
  | OrderCancelled
  | OrderSealed
  | OrderUnsealed
  | OrderLocked
  | OrderUnlocked
  | ImageAttached
  | OrderExpired
  | CarposTransactionAccepted
  | CarposTransactionRejected;

export type OrderEventType = OrderEvent['type'];

export type OrderStatus = 'NONE' | 'DRAFT' | 'ACTIVE' | 'CANCELLED' | 'EXPIRED';

export interface OrderLock {
  holder: string;
  organisation: string;
  expiresAt: string;
}

export type CarposAnswer =
  | ({ accepted: true } & CarposTransactionAccepted['data'])
  | ({ accepted: false } & CarposTransactionRejected['data']);

export interface OrderState {
  status: OrderStatus;
  orderId: string | null;
  /** Draft-level data while DRAFT; a full OrderData once added or cloned. */
  data: DraftOrderData | null;
  /** court.ori of the order: the court whose sealed-update users may seal and change it. */
  courtOri: string | null;
  sealed: boolean;
  /** Kept after expiry; whether it still binds is decided against the command's `now`. */
  lock: OrderLock | null;
  services: Service[];
  images: OrderImage[];
  carpos: {
    submitted: boolean;
    /** DOJ's file control number, once an ENTER was accepted. */
    fcn: string | null;
    lastAnswer: CarposAnswer | null;
    /** Lets a redelivered DOJ answer be recognised and ignored. */
    answeredTcns: string[];
  };
  clonedFrom: string | null;
  cancellation: Cancellation | null;
}

export function initialOrderState(): OrderState {
  return {
    status: 'NONE',
    orderId: null,
    data: null,
    courtOri: null,
    sealed: false,
    lock: null,
    services: [],
    images: [],
    carpos: { submitted: false, fcn: null, lastAnswer: null, answeredTcns: [] },
    clonedFrom: null,
    cancellation: null,
  };
}

export function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderDrafted':
      return { ...withData(state, event.data.data), status: 'DRAFT', orderId: event.data.orderId };
    case 'OrderAdded':
    case 'OrderCloned':
      return {
        ...withData(state, event.data.data),
        status: 'ACTIVE',
        orderId: event.data.orderId,
        clonedFrom: event.type === 'OrderCloned' ? event.data.clonedFrom : state.clonedFrom,
        carpos: { ...state.carpos, submitted: event.data.submitToCarpos },
      };
    case 'OrderModified':
      return withData(state, event.data.data);
    case 'OrderServed':
      return { ...state, services: [...state.services, event.data] };
    case 'OrderCancelled':
      return { ...state, status: 'CANCELLED', cancellation: event.data };
    case 'OrderSealed':
      return { ...state, sealed: true };
    case 'OrderUnsealed':
      return { ...state, sealed: false };
    case 'OrderLocked':
      return {
        ...state,
        lock: { holder: event.data.lockedBy, organisation: event.data.lockedByOrganisation, expiresAt: event.data.expiresAt },
      };
    case 'OrderUnlocked':
      return { ...state, lock: null };
    case 'ImageAttached':
      return { ...state, images: [...state.images, event.data.image] };
    case 'OrderExpired':
      return { ...state, status: 'EXPIRED' };
    case 'CarposTransactionAccepted':
      return withCarposAnswer({ ...state, carpos: { ...state.carpos, fcn: event.data.fcn } }, { accepted: true, ...event.data });
    case 'CarposTransactionRejected':
      return withCarposAnswer(state, { accepted: false, ...event.data });
  }
}

function withData(state: OrderState, data: DraftOrderData): OrderState {
  return { ...state, data, courtOri: data.court.ori };
}

function withCarposAnswer(state: OrderState, answer: CarposAnswer): OrderState {
  return {
    ...state,
    carpos: { ...state.carpos, lastAnswer: answer, answeredTcns: [...state.carpos.answeredTcns, answer.tcn] },
  };
}
