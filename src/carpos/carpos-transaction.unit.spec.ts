import type { RecordedOrderEvent } from '../orders/order-history';
import { fullOrderData, ORDER_ID } from '../orders/order.fixtures.spec';
import { evolve, initialOrderState, OrderEvent } from '../orders/order.events';
import { CarposJob, carposAnswerOf, tcnFor, transactionTypeFor, wireOrder, wireTransaction } from './carpos-transaction';

const recorded = (event: OrderEvent, revision = 0): RecordedOrderEvent =>
  ({ ...event, id: '0b7e9a3c-4f51-5d2e-8a66-1c9f0e2b7d44', orderId: ORDER_ID, stream: `order-${ORDER_ID}`, revision: BigInt(revision) }) as unknown as RecordedOrderEvent;

const added = (submitToCarpos: boolean): OrderEvent => ({
  type: 'OrderAdded',
  data: { orderId: ORDER_ID, data: fullOrderData(), submitToCarpos, fromDraft: false },
});
const modified = (field: string): OrderEvent => ({ type: 'OrderModified', data: { changes: [{ field, before: 'a', after: 'b' }], data: fullOrderData() } });
const served: OrderEvent = { type: 'OrderServed', data: { servedAt: '2025-03-02T10:00:00.000Z', method: 'PERSONAL', servedBy: 'Deputy Garcia', agency: 'CA0190000' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { reason: 'TERMINATED_BY_COURT' } };
const enabled = () => true;
const disabled = () => false;

describe('which order events become CARPOS transactions (DESIGN §7)', () => {
  it('ENTER for an added or cloned order sent to CARPOS by a court that forwards to CARPOS', () => {
    expect(transactionTypeFor(recorded(added(true)), { entered: false }, enabled)).toBe('ENTER');
    expect(transactionTypeFor(recorded(added(false)), { entered: false }, enabled)).toBeNull();
    expect(transactionTypeFor(recorded(added(true)), { entered: false }, disabled)).toBeNull();
    const cloned: OrderEvent = { type: 'OrderCloned', data: { orderId: ORDER_ID, clonedFrom: 'x', data: fullOrderData(), submitToCarpos: true } };
    expect(transactionTypeFor(recorded(cloned), { entered: false }, enabled)).toBe('ENTER');
  });

  it('MODIFY, SERVICE and CANCEL only for an entered order, whatever the court’s setting has become', () => {
    for (const [event, type] of [[modified('restrainedPerson.weight'), 'MODIFY'], [served, 'SERVICE'], [cancelled, 'CANCEL']] as const) {
      expect(transactionTypeFor(recorded(event), { entered: true }, disabled)).toBe(type);
      expect(transactionTypeFor(recorded(event), { entered: false }, enabled)).toBeNull();
    }
  });

  it('no MODIFY for changes DOJ does not keep (judge, notes, hearing date)', () => {
    for (const field of ['judge', 'notes', 'hearingDate']) expect(transactionTypeFor(recorded(modified(field)), { entered: true }, enabled)).toBeNull();
    expect(transactionTypeFor(recorded(modified('conditions.1.text')), { entered: true }, enabled)).toBe('MODIFY');
  });

  it('nothing for other events', () => {
    expect(transactionTypeFor(recorded({ type: 'OrderSealed', data: {} }), { entered: true }, enabled)).toBeNull();
  });

  it('the TCN is the event id, as 32 upper-case hex digits', () => {
    expect(tcnFor('0b7e9a3c-4f51-5d2e-8a66-1c9f0e2b7d44')).toBe('0B7E9A3C4F515D2E8A661C9F0E2B7D44');
  });
});

describe('the wire transaction', () => {
  const state = evolve(initialOrderState(), added(true));
  const job = (type: CarposJob['type']): CarposJob => ({ tcn: 'T1', orderId: ORDER_ID, revision: 0, type });

  it('ENTER carries NCIC fields only: no judge, notes, address or relationship', () => {
    const wire = wireTransaction(job('ENTER'), added(true), state, null);
    expect(wire).toMatchObject({ tcn: 'T1', type: 'ENTER', ori: fullOrderData().court.ori, order: { caseNumber: 'FL-2025-000123', orderType: 'DV-110' } });
    expect(wire.fcn).toBeUndefined();
    expect(JSON.stringify(wire)).not.toMatch(/Hon\. A\. Smith|Main St|Spouse/);
    expect(wireOrder(fullOrderData()).restrained).toEqual({
      lastName: 'Mouse', firstName: 'Mickey', dateOfBirth: '1988-11-18', sex: 'M', race: 'W', height: 70, weight: 180, hair: 'BLK', eyes: 'BRO', aliases: ['Steamboat Willie'],
    });
    expect(wireOrder(fullOrderData()).conditions).toEqual([{ code: '01' }, { code: '08', text: 'Stay 100 yards away from the workplace' }]);
  });

  it('SERVICE and CANCEL carry the FCN and what the event recorded', () => {
    expect(wireTransaction(job('SERVICE'), served, state, '0190000000001')).toMatchObject({ fcn: '0190000000001', service: served.data });
    expect(wireTransaction(job('CANCEL'), cancelled, state, '0190000000001')).toMatchObject({ fcn: '0190000000001', cancellation: { reason: 'TERMINATED_BY_COURT' } });
  });

  it('DOJ’s answer becomes the order’s RecordCarposAnswer payload', () => {
    expect(carposAnswerOf(job('ENTER'), { tcn: 'T1', status: 'ACCEPTED', fcn: '0190000000001' })).toEqual({
      accepted: true, tcn: 'T1', transactionType: 'ENTER', fcn: '0190000000001',
    });
    expect(carposAnswerOf(job('MODIFY'), { tcn: 'T1', status: 'REJECTED', code: 'NOT ON FILE', message: 'm', echo: 'e' })).toEqual({
      accepted: false, tcn: 'T1', transactionType: 'MODIFY', code: 'NOT ON FILE', message: 'm', inputEcho: 'e',
    });
  });
});
