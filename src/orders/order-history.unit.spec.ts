import type { RecordedEvent } from '../event-store/event-store.port';
import { actors, ev, NOW, ORDER_ID } from './order.fixtures.spec';
import { foldOrderEvent, ORDER_EVENT_TYPES, OrderFold, recordedOrderEvent, toOrderDetail } from './order-history';
import { OrderEvent } from './order.events';

function recorded(event: OrderEvent, revision: number, by = actors.clerk, at = NOW, stream = `order-${ORDER_ID}`): RecordedEvent {
  return {
    id: `event-${revision}`,
    stream,
    revision: BigInt(revision),
    position: BigInt(100 + revision),
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      actorUserId: by.userId,
      actorOrganisation: by.organisation,
      actorRole: by.roles.join(','),
      commandId: `command-${revision}`,
      correlationId: `command-${revision}`,
      causationId: `command-${revision}`,
      occurredAt: at,
      schemaVersion: 1,
    },
    recordedAt: new Date(at),
  };
}

function foldAll(events: RecordedEvent[]): OrderFold | undefined {
  return events.reduce<OrderFold | undefined>((fold, event) => foldOrderEvent(fold, recordedOrderEvent(event)!), undefined);
}

const accepted: OrderEvent = { type: 'CarposTransactionAccepted', data: { tcn: 'T1', transactionType: 'ENTER', fcn: '1234567890123' } };
const rejected: OrderEvent = {
  type: 'CarposTransactionRejected',
  data: { tcn: 'T2', transactionType: 'MODIFY', code: 'E42', message: 'INVALID RACE', inputEcho: 'MKE/EPO' },
};

describe('recordedOrderEvent', () => {
  it('takes the order id from the order stream name', () => {
    expect(recordedOrderEvent(recorded(ev.sealed(), 3))).toMatchObject({ orderId: ORDER_ID, type: 'OrderSealed', revision: 3n });
  });

  it('ignores an event of the same type on another kind of stream', () => {
    expect(recordedOrderEvent(recorded(ev.sealed(), 0, actors.clerk, NOW, 'quickattach-1'))).toBeUndefined();
  });

  it('upcasts older schema versions with the registry given', () => {
    const event = recordedOrderEvent(recorded(ev.cancelled(), 1), { OrderCancelled: [(data) => ({ ...data, reasonText: 'v2' })] });
    expect(event?.data).toEqual({ reason: 'ENTERED_IN_ERROR', reasonText: 'v2' });
    expect(event?.metadata.schemaVersion).toBe(2);
  });
});

describe('ORDER_EVENT_TYPES', () => {
  it('lists every order event type once, DOJ answers and expiry included', () => {
    expect(new Set(ORDER_EVENT_TYPES).size).toBe(14);
    expect(ORDER_EVENT_TYPES).toEqual(expect.arrayContaining(['OrderDrafted', 'OrderExpired', 'CarposTransactionRejected']));
  });
});

describe('foldOrderEvent', () => {
  it('keeps who created the order and moves who updated it and the revision with every event', () => {
    const fold = foldAll([recorded(ev.added(), 0), recorded(ev.sealed(), 1, actors.sealedClerk, '2025-03-02T09:00:00.000Z')]);
    expect(fold?.meta).toEqual({
      revision: 1,
      created: { at: NOW, userId: 'clerk-1', organisation: actors.clerk.organisation },
      updated: { at: '2025-03-02T09:00:00.000Z', userId: 'sealed-1', organisation: actors.sealedClerk.organisation },
      carposAnsweredAt: null,
    });
    expect(fold?.state.sealed).toBe(true);
  });

  it('remembers when DOJ last answered, and only DOJ answers move that time', () => {
    const fold = foldAll([
      recorded(ev.added(), 0),
      recorded(accepted, 1, actors.worker, '2025-03-01T11:00:00.000Z'),
      recorded(ev.sealed(), 2, actors.sealedClerk, '2025-03-01T12:00:00.000Z'),
    ]);
    expect(fold?.meta.carposAnsweredAt).toBe('2025-03-01T11:00:00.000Z');
  });
});

describe('toOrderDetail', () => {
  it('shows an accepted DOJ answer with its FCN and time, in the one answer shape', () => {
    const { state, meta } = foldAll([recorded(ev.added(), 0), recorded(accepted, 1, actors.worker, '2025-03-01T11:00:00.000Z')])!;
    expect(toOrderDetail(ORDER_ID, state, meta).carpos).toEqual({
      submitted: false,
      fcn: '1234567890123',
      lastAnswer: {
        accepted: true, transactionType: 'ENTER', tcn: 'T1', fcn: '1234567890123',
        code: null, message: null, inputEcho: null, answeredAt: '2025-03-01T11:00:00.000Z',
      },
    });
  });

  it('shows a rejection with code and message and keeps the FCN of the earlier acceptance', () => {
    const { state, meta } = foldAll([
      recorded(ev.added(), 0),
      recorded(accepted, 1, actors.worker),
      recorded(rejected, 2, actors.worker, '2025-03-01T12:00:00.000Z'),
    ])!;
    expect(toOrderDetail(ORDER_ID, state, meta).carpos).toEqual({
      submitted: false,
      fcn: '1234567890123',
      lastAnswer: {
        accepted: false, transactionType: 'MODIFY', tcn: 'T2', fcn: null,
        code: 'E42', message: 'INVALID RACE', inputEcho: 'MKE/EPO', answeredAt: '2025-03-01T12:00:00.000Z',
      },
    });
  });

  it('holds only plain JSON values, so a jsonb round trip returns an equal detail', () => {
    const { state, meta } = foldAll([recorded(ev.added(), 0), recorded(ev.lockedBy(actors.clerk), 1), recorded(rejected, 2)])!;
    const detail = toOrderDetail(ORDER_ID, state, meta);
    expect(JSON.parse(JSON.stringify(detail))).toStrictEqual(detail);
    expect(detail).not.toHaveProperty('carpos.answeredTcns');
  });

  it('refuses a state no creating event has built: the stream would be broken', () => {
    const { state, meta } = foldAll([recorded(ev.sealed(), 0)])!;
    expect(() => toOrderDetail(ORDER_ID, state, meta)).toThrow(`order ${ORDER_ID} has no drafting, adding or cloning event`);
  });
});
