// Shared test data for the order specs (a *.spec.ts name keeps it out of the build; jest only
// runs *.unit.spec.ts, so this file holds no tests of its own).
import { deciderSpec } from '../../test/support/given-when-then';
import { OrderData } from './order-data';
import { Actor, OrderCommand } from './order.commands';
import { orderDecider } from './order.decider';
import { OrderEvent } from './order.events';

export const ORDER_ID = '3f0b6f0e-4d3a-4a53-9c55-0f7f3c1d2a10';
export const COURT_ORI = 'CA019015J';
export const OTHER_COURT_ORI = 'CA037015J';
export const NOW = '2025-03-01T10:00:00.000Z';

const actor = (userId: string, organisation: string, ...roles: string[]): Actor => ({ userId, organisation, roles });
export const actors = {
  clerk: actor('clerk-1', COURT_ORI, 'QUERY_UPDATE'),
  otherClerk: actor('clerk-2', COURT_ORI, 'QUERY_UPDATE'),
  sealedClerk: actor('sealed-1', COURT_ORI, 'QUERY_UPDATE_SEALED'),
  otherCourtSealedClerk: actor('sealed-2', OTHER_COURT_ORI, 'QUERY_UPDATE_SEALED'),
  admin: actor('admin-1', COURT_ORI, 'ADMINISTRATOR'),
  otherCourtAdmin: actor('admin-2', OTHER_COURT_ORI, 'ADMINISTRATOR'),
  worker: actor('carpos-worker', 'SYSTEM', 'SYSTEM'),
};

/** A complete order in its normalised (validated) form. */
export function fullOrderData(): OrderData {
  return {
    caseNumber: 'FL-2025-000123',
    court: { county: 'Fresno', ori: COURT_ORI },
    orderType: 'DV-110',
    issuedDate: '2025-02-20',
    expirationDate: '2025-03-15',
    hearingDate: '2025-03-14',
    judge: 'Hon. A. Smith',
    restrainedPerson: {
      lastName: 'Mouse',
      firstName: 'Mickey',
      aliases: ['Steamboat Willie'],
      dateOfBirth: '1988-11-18',
      sex: 'M',
      race: 'W',
      height: 70,
      weight: 180,
      hair: 'BLK',
      eyes: 'BRO',
      address: '1 Main St, Fresno CA',
      relationship: 'Spouse',
    },
    protectedPersons: [{ lastName: 'Mouse', firstName: 'Minnie', dateOfBirth: '1990-01-01', sex: 'F', relationship: 'Spouse' }],
    conditions: [{ code: '01' }, { code: '08', text: 'Stay 100 yards away from the workplace' }],
    firearmProhibition: 'Y',
    bradyIndicator: 'Y',
  };
}

export const draftData = () => ({ court: { county: 'Fresno', ori: COURT_ORI }, orderType: 'DV-110' as const });

/** A command with the usual orderId, now and actor, which `extra` may override. */
export function command<T extends OrderCommand['type']>(
  type: T,
  extra: Omit<Extract<OrderCommand, { type: T }>, 'type' | 'orderId' | 'now' | 'actor'> & Partial<Pick<OrderCommand, 'orderId' | 'now' | 'actor'>>,
): Extract<OrderCommand, { type: T }> {
  return { type, orderId: ORDER_ID, now: NOW, actor: actors.clerk, ...extra } as Extract<OrderCommand, { type: T }>;
}

export const ev = {
  drafted: (data: object = draftData()): OrderEvent => ({ type: 'OrderDrafted', data: { orderId: ORDER_ID, data: data as OrderData } }),
  added: (data: OrderData = fullOrderData(), submitToCarpos = false): OrderEvent => ({
    type: 'OrderAdded',
    data: { orderId: ORDER_ID, data, submitToCarpos, fromDraft: false },
  }),
  sealed: (): OrderEvent => ({ type: 'OrderSealed', data: {} }),
  cancelled: (): OrderEvent => ({ type: 'OrderCancelled', data: { reason: 'ENTERED_IN_ERROR' } }),
  expired: (): OrderEvent => ({ type: 'OrderExpired', data: { asOfDate: '2025-03-16' } }),
  lockedBy: (holder: Actor, expiresAt = '2025-03-01T10:30:00.000Z'): OrderEvent => ({
    type: 'OrderLocked',
    data: { lockedBy: holder.userId, lockedByOrganisation: holder.organisation, lockedAt: NOW, expiresAt },
  }),
};

export const { given } = deciderSpec(orderDecider);
