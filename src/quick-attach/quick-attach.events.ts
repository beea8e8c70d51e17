import { DomainEvent } from '../decider/decider';
import type { OrderImage } from '../orders/order.events';

/**
 * Events of the `quickattach-<uuid>` stream (DESIGN §2, §6): a scanned order entered before its
 * data, with what was known of it, and later its conversion into an order. Who and when travel
 * in the event metadata, as for orders.
 */

/** What was known when the scan was entered; only the court is always there. */
export interface QuickAttachIndex {
  caseNumber?: string;
  restrainedPerson?: { lastName?: string; firstName?: string };
  notes?: string;
}

/** DRAFT: the order's data is still to be completed; ACTIVE: it was entered in full at once. */
export const CONVERSION_TARGETS = ['DRAFT', 'ACTIVE'] as const;
export type ConversionTarget = (typeof CONVERSION_TARGETS)[number];

/** court: the entering organisation, whose county scopes who finds the quick attach. */
export type QuickAttachAdded = DomainEvent<
  'QuickAttachAdded',
  { quickAttachId: string; court: { county: string; ori: string }; image: OrderImage } & QuickAttachIndex
>;
/** The order now holds the image; the quick attach is no longer pending. */
export type QuickAttachConverted = DomainEvent<'QuickAttachConverted', { orderId: string; into: ConversionTarget }>;

export type QuickAttachEvent = QuickAttachAdded | QuickAttachConverted;
export type QuickAttachEventType = QuickAttachEvent['type'];
export const QUICK_ATTACH_EVENT_TYPES: readonly QuickAttachEventType[] = ['QuickAttachAdded', 'QuickAttachConverted'];

export type QuickAttachStatus = 'NONE' | 'PENDING' | 'CONVERTED';

export interface QuickAttachState {
  status: QuickAttachStatus;
  added: QuickAttachAdded['data'] | null;
  conversion: QuickAttachConverted['data'] | null;
}

export function initialQuickAttachState(): QuickAttachState {
  return { status: 'NONE', added: null, conversion: null };
}

export function evolve(state: QuickAttachState, event: QuickAttachEvent): QuickAttachState {
  switch (event.type) {
    case 'QuickAttachAdded':
      return { ...state, status: 'PENDING', added: event.data };
    case 'QuickAttachConverted':
      return { ...state, status: 'CONVERTED', conversion: event.data };
  }
}
