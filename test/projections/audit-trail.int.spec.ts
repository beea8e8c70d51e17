import { randomUUID } from 'node:crypto';
import { auditTrailProjection } from '../../projections/audit-trail/audit-trail.projection';
import { orderHistory } from '../../projections/audit-trail/audit-trail.query';
import { actors, command, COURT_ORI, fullOrderData, NOW } from '../../src/orders/order.fixtures.spec';
import { tableNames } from '../../src/projection-engine/projection';
import { liveGeneration } from '../../src/projection-engine/projection-registry';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';
import { inTransaction } from '../../src/postgres/transaction';

const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

describe('audit trail read model', () => {
  let h: ProjectionHarness;
  beforeAll(async () => {
    h = await projectionHarness(auditTrailProjection);
  });
  afterAll(() => h.teardown());

  const add = (orderId: string) => h.order(command('AddOrder', { orderId, data: fullOrderData(), submitToCarpos: true }));

  it('records every event of the order in revision order with actor, organisation, role, command and times', async () => {
    const orderId = randomUUID();
    const added = await add(orderId);
    const sealed = await h.order(command('SealOrder', { orderId, actor: actors.sealedClerk, now: at(5) }), { correlationId: 'case-review-7' });
    const answered = await h.order(
      command('RecordCarposAnswer', {
        orderId,
        actor: actors.worker,
        now: at(9),
        answer: { accepted: true, tcn: 'TCN-1', transactionType: 'ENTER', fcn: '2025000000123' },
      }),
      { causationId: added.events[0].id },
    );
    await h.project();

    const history = await orderHistory(h.db.pool, orderId);
    const stored = await h.store.readStream(`order-${orderId}`);
    expect(history).toEqual([
      expect.objectContaining({
        revision: 0, type: 'OrderAdded', actor: { userId: 'clerk-1', organisation: COURT_ORI, role: 'QUERY_UPDATE' },
        commandId: added.events[0].metadata.commandId, occurredAt: NOW, changes: null,
      }),
      expect.objectContaining({
        revision: 1, type: 'OrderSealed', actor: { userId: 'sealed-1', organisation: COURT_ORI, role: 'QUERY_UPDATE_SEALED' },
        commandId: sealed.events[0].metadata.commandId, correlationId: 'case-review-7', occurredAt: at(5), data: {},
      }),
      expect.objectContaining({
        revision: 2, type: 'CarposTransactionAccepted', actor: { userId: 'carpos-worker', organisation: 'SYSTEM', role: 'SYSTEM' },
        commandId: answered.events[0].metadata.commandId, causationId: added.events[0].id, occurredAt: at(9),
        data: { tcn: 'TCN-1', transactionType: 'ENTER', fcn: '2025000000123' },
      }),
    ]);
    expect(history.map((e) => [e.eventId, e.position, e.stream, e.orderId, e.recordedAt])).toEqual(
      stored.map((e) => [e.id, e.position, `order-${orderId}`, orderId, e.recordedAt.toISOString()]),
    );
  });

  it('records the before and after of every field an OrderModified changed', async () => {
    const orderId = randomUUID();
    await add(orderId);
    await h.order(
      command('ModifyOrder', {
        orderId,
        now: at(1),
        actor: actors.otherClerk,
        patch: { judge: 'Hon. B. Jones', restrainedPerson: { weight: 185, hair: null } },
      }),
    );
    await h.project();

    const [, modified] = await orderHistory(h.db.pool, orderId);
    expect(modified).toMatchObject({ type: 'OrderModified', revision: 1, actor: { userId: 'clerk-2' }, occurredAt: at(1) });
    expect(modified.changes).toEqual(
      expect.arrayContaining([
        { field: 'judge', before: 'Hon. A. Smith', after: 'Hon. B. Jones' },
        { field: 'restrainedPerson.weight', before: 180, after: 185 },
        { field: 'restrainedPerson.hair', before: 'BLK', after: null },
      ]),
    );
    expect(modified.changes).toHaveLength(3);
  });

  it("keeps each order's history apart and answers an unknown order with no entries", async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    await add(first);
    await add(second);
    await h.order(command('CancelOrder', { orderId: second, reason: 'ENTERED_IN_ERROR' }));
    await h.project();

    expect((await orderHistory(h.db.pool, first)).map((e) => e.type)).toEqual(['OrderAdded']);
    expect((await orderHistory(h.db.pool, second)).map((e) => e.type)).toEqual(['OrderAdded', 'OrderCancelled']);
    expect(await orderHistory(h.db.pool, randomUUID())).toEqual([]);
  });

  it('re-applying events already recorded adds and changes nothing', async () => {
    const orderId = randomUUID();
    await add(orderId);
    await h.order(command('LockOrder', { orderId, now: at(1) }));
    await h.project();
    const before = await orderHistory(h.db.pool, orderId);

    const live = await liveGeneration(h.db.pool, auditTrailProjection.name);
    // In a transaction of its own, as the engine gives handlers.
    await inTransaction(h.db.pool, async (client) => {
      const ctx = { db: client, indexed: true, ...tableNames(auditTrailProjection, live!.generation) };
      for (const event of await h.store.readStream(`order-${orderId}`)) await auditTrailProjection.handle(ctx, event);
    });
    await h.project();

    expect(before).toHaveLength(2);
    expect(await orderHistory(h.db.pool, orderId)).toEqual(before);
  });
});
