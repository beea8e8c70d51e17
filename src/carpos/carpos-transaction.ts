import type { DraftOrderData } from '../orders/order-data';
import type { RecordedOrderEvent } from '../orders/order-history';
import type { CarposAnswer, Cancellation, CarposTransactionType, OrderEvent, OrderState, Service } from '../orders/order.events';

/**
 * Which order events become CARPOS transactions (DESIGN §7), and what goes over the wire.
 * Pure: the dispatcher projection and the worker call these with what they hold.
 */

/** The transaction control number of the transaction an event gives rise to: its event id, as DOJ's upper-case hex. */
export function tcnFor(eventId: string): string {
  return eventId.replace(/-/g, '').toUpperCase();
}

/** What the dispatcher remembers of an order between its events. */
export interface CarposOrderContext {
  /** An ENTER was issued for the order: from then on its changes, services and cancellation go to DOJ too. */
  entered: boolean;
}

/**
 * Fields DOJ keeps of an order; a modification touching none of them (judge, notes, hearing
 * date) has nothing to tell DOJ and sends nothing.
 */
const DOJ_FIELDS = [
  'caseNumber', 'court', 'orderType', 'issuedDate', 'expirationDate', 'restrainedPerson', 'protectedPersons', 'conditions',
  'firearmProhibition', 'bradyIndicator',
];

/**
 * The transaction an order event gives rise to, or null. `carposEnabled` answers for the
 * order's court at the time of the event: an order is entered only when its court forwards to
 * CARPOS; once entered, its later changes follow whatever the setting becomes, since DOJ must
 * not keep a modified or cancelled order in its old form.
 */
export function transactionTypeFor(
  event: RecordedOrderEvent,
  context: CarposOrderContext,
  carposEnabled: (courtOri: string) => boolean,
): CarposTransactionType | null {
  switch (event.type) {
    case 'OrderAdded':
    case 'OrderCloned':
      return event.data.submitToCarpos && carposEnabled(event.data.data.court.ori) ? 'ENTER' : null;
    case 'OrderModified':
      return context.entered && event.data.changes.some((change) => DOJ_FIELDS.includes(change.field.split('.')[0])) ? 'MODIFY' : null;
    case 'OrderServed':
      return context.entered ? 'SERVICE' : null;
    case 'OrderCancelled':
      return context.entered ? 'CANCEL' : null;
    default:
      return null;
  }
}

// ---- the wire format (docs/carpos.md) ---------------------------------------------------------

/** NCIC-style person fields as DOJ's order file holds them. */
export interface WirePerson {
  lastName?: string;
  firstName?: string;
  middleName?: string;
  dateOfBirth?: string;
  age?: number;
  sex?: string;
  race?: string;
  height?: number;
  weight?: number;
  hair?: string;
  eyes?: string;
}

export interface WireOrder {
  caseNumber?: string;
  orderType: string;
  issuedDate?: string;
  expirationDate?: string;
  restrained: WirePerson & { aliases?: string[] };
  protected: WirePerson[];
  /** NCIC condition codes 01–09; text for 08. */
  conditions: { code: string; text?: string }[];
  bradyIndicator?: string;
  firearmProhibition?: string;
}

/** One CARPOS transaction as the gateway sends it. */
export interface CarposWireTransaction {
  tcn: string;
  type: CarposTransactionType;
  /** The originating court's ORI: the agency DOJ files the order under. */
  ori: string;
  /** DOJ's file control number; required for everything but ENTER. */
  fcn?: string;
  /** ENTER and MODIFY: the order as it now stands. */
  order?: WireOrder;
  service?: Service;
  cancellation?: Cancellation;
}

export type DojAnswer =
  | { tcn: string; status: 'ACCEPTED'; fcn: string }
  | { tcn: string; status: 'REJECTED'; code: string; message: string; echo: string };

const person = (p: Partial<WirePerson> | undefined): WirePerson => {
  const { lastName, firstName, middleName, dateOfBirth, age, sex, race, height, weight, hair, eyes } = p ?? {};
  return dropUndefined({ lastName, firstName, middleName, dateOfBirth, age, sex, race, height, weight, hair, eyes });
};

/** The order data as DOJ's file holds it: NCIC fields only (no judge, notes, addresses). */
export function wireOrder(data: DraftOrderData): WireOrder {
  return dropUndefined({
    caseNumber: data.caseNumber,
    orderType: data.orderType,
    issuedDate: data.issuedDate,
    expirationDate: data.expirationDate,
    restrained: dropUndefined({ ...person(data.restrainedPerson), aliases: data.restrainedPerson?.aliases?.length ? data.restrainedPerson.aliases : undefined }),
    protected: (data.protectedPersons ?? []).map(person),
    conditions: (data.conditions ?? []).map(({ code, text }) => dropUndefined({ code, text })),
    bradyIndicator: data.bradyIndicator,
    firearmProhibition: data.firearmProhibition,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What the worker knows of a transaction: the projection's row as the relay enqueued it. */
export interface CarposJob {
  tcn: string;
  orderId: string;
  /** Stream revision of the order event the transaction carries. */
  revision: number;
  type: CarposTransactionType;
}

/**
 * The transaction for `job`: the order as it stood right after its event (ENTER and MODIFY send
 * the whole order then), the service or cancellation the event recorded, and the FCN DOJ gave
 * the ENTER (known by now: an order's transactions go one at a time, in order).
 */
export function wireTransaction(job: CarposJob, event: OrderEvent, after: OrderState, fcn: string | null): CarposWireTransaction {
  // Every transaction follows an OrderAdded or OrderCloned: the order has data and a court.
  if (!after.data || !after.courtOri) throw new Error(`order ${job.orderId} has no data at revision ${job.revision}`);
  const base = { tcn: job.tcn, type: job.type, ori: after.courtOri, ...(job.type === 'ENTER' || fcn === null ? {} : { fcn }) };
  switch (job.type) {
    case 'ENTER':
    case 'MODIFY':
      return { ...base, order: wireOrder(after.data) };
    case 'SERVICE':
      return { ...base, service: (event as Extract<OrderEvent, { type: 'OrderServed' }>).data };
    case 'CANCEL':
      return { ...base, cancellation: (event as Extract<OrderEvent, { type: 'OrderCancelled' }>).data };
  }
}

/** DOJ's answer in the shape the order's RecordCarposAnswer command takes. */
export function carposAnswerOf(job: CarposJob, answer: DojAnswer): CarposAnswer {
  return answer.status === 'ACCEPTED'
    ? { accepted: true, tcn: job.tcn, transactionType: job.type, fcn: answer.fcn }
    : { accepted: false, tcn: job.tcn, transactionType: job.type, code: answer.code, message: answer.message, inputEcho: answer.echo };
}
