import { randomUUID } from 'node:crypto';
import { orderDetailProjection } from '../../projections/order-detail/order-detail.projection';
import { getOrderDetail } from '../../projections/order-detail/order-detail.query';
import { OrderDetail, orderAsOf } from '../../src/orders/order-history';
import type { OrderCommand } from '../../src/orders/order.commands';
import { orderStream } from '../../src/orders/order.decider';
import { actors, command, fullOrderData, NOW } from '../../src/orders/order.fixtures.spec';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

/** A working life of an order: every kind of event the detail shows, one event per command. */
function lifeOf(orderId: string): OrderCommand[] {
  const serve = (servedBy: string) =>
    command('ServeOrder', { orderId, servedAt: '2025-03-01T09:00:00.000Z', method: 'PERSONAL', servedBy, agency: 'Fresno SO' });
  const answer = (tcn: string, accepted: boolean) =>
    command('RecordCarposAnswer', {
      orderId,
      actor: actors.worker,
      answer: accepted
        ? { accepted, tcn, transactionType: 'ENTER', fcn: '2025000000777' }
        : { accepted, tcn, transactionType: 'MODIFY', code: 'E-RACE', message: 'RACE CODE INVALID', inputEcho: 'MKE/EPO.RAC/Q' },
    });
  const steps: OrderCommand[] = [
    command('AddOrder', { orderId, data: fullOrderData(), submitToCarpos: true }),
    answer('TCN-ENTER', true),
    command('LockOrder', { orderId }),
    command('ModifyOrder', { orderId, patch: { judge: 'Hon. B. Jones', restrainedPerson: { weight: 190 } } }),
    command('UnlockOrder', { orderId }),
    serve('Deputy A'),
    serve('Deputy B'),
    command('AttachImage', { orderId, image: { sha256: 'c'.repeat(64), contentType: 'image/tiff', sizeBytes: 4096 } }),
    answer('TCN-MODIFY', false),
    command('SealOrder', { orderId, actor: actors.sealedClerk }),
    command('CancelOrder', { orderId, actor: actors.sealedClerk, reason: 'TERMINATED_BY_COURT' }),
  ];
  return steps.map((step, minute) => ({ ...step, now: at(minute) }));
}

describe('time travel: the order as of a revision or an instant', () => {
  let h: ProjectionHarness;
  let orderId: string;
  /** The detail read model's row captured right after projecting each revision. */
  const shown: OrderDetail[] = [];
  let recordedAt: Date[];

  beforeAll(async () => {
    h = await projectionHarness(orderDetailProjection);
    orderId = randomUUID();
    for (const step of lifeOf(orderId)) {
      await h.order(step);
      await h.project();
      shown.push((await getOrderDetail(h.db.pool, orderId))!);
    }
    recordedAt = (await h.store.readStream(orderStream(orderId))).map((event) => event.recordedAt);
  });
  afterAll(() => h.teardown());

  it('captured one read model row per revision, each a different picture of the order', () => {
    expect(shown.map((detail) => detail.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(shown.map((detail) => JSON.stringify(detail))).size).toBe(shown.length);
  });

  it('folds the event store to exactly what the read model showed, for every revision', async () => {
    for (const [revision, detail] of shown.entries()) {
      expect(await orderAsOf(h.store, orderId, { revision })).toStrictEqual(detail);
    }
  });

  it("gives, at each event's recording instant, what the read model showed after the last event recorded by then", async () => {
    for (const instant of recordedAt) {
      // Two appends may share a millisecond; "as of" an instant includes everything recorded by then.
      const last = recordedAt.findLastIndex((t) => t <= instant);
      expect(await orderAsOf(h.store, orderId, { at: instant })).toStrictEqual(shown[last]);
    }
  });

  it('answers undefined before the order existed: before its first event, revision -1, or an unknown order', async () => {
    expect(await orderAsOf(h.store, orderId, { at: new Date(recordedAt[0].getTime() - 1) })).toBeUndefined();
    expect(await orderAsOf(h.store, orderId, { revision: -1 })).toBeUndefined();
    expect(await orderAsOf(h.store, randomUUID(), { revision: 0 })).toBeUndefined();
  });

  it('gives the current order for a revision past the last one, and says which revision it shows', async () => {
    expect(await orderAsOf(h.store, orderId, { revision: 99 })).toStrictEqual(shown[shown.length - 1]);
  });

  it('applies the upcasters it is given to the stored events', async () => {
    const upcasters = { OrderServed: [(data: Record<string, unknown>) => ({ ...data, notes: `upcast: ${String(data.servedBy)}` })] };
    const detail = await orderAsOf(h.store, orderId, { revision: 6 }, upcasters);
    expect(detail?.services.map((service) => service.notes)).toEqual(['upcast: Deputy A', 'upcast: Deputy B']);
  });
});
