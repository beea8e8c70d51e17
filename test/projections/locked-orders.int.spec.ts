import { randomUUID } from 'node:crypto';
import { lockedOrdersProjection } from '../../projections/locked-orders/locked-orders.projection';
import { lockedOrders } from '../../projections/locked-orders/locked-orders.query';
import type { Actor } from '../../src/orders/order.commands';
import { actors, command, COURT_ORI, fullOrderData, NOW, OTHER_COURT_ORI } from '../../src/orders/order.fixtures.spec';
import { tableNames } from '../../src/projection-engine/projection';
import { liveGeneration } from '../../src/projection-engine/projection-registry';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();
const instant = (minutes: number) => new Date(at(minutes));

describe('locked orders read model', () => {
  // A fresh schema per test: the query lists every lock in the registry.
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await projectionHarness(lockedOrdersProjection);
  });
  afterEach(() => h.teardown());

  async function addOrder(caseNumber = 'FL-2025-000123'): Promise<string> {
    const orderId = randomUUID();
    await h.order(command('AddOrder', { orderId, data: { ...fullOrderData(), caseNumber }, submitToCarpos: false }));
    return orderId;
  }
  const lock = (orderId: string, minute: number, actor: Actor = actors.clerk, durationMinutes = 30) =>
    h.order(command('LockOrder', { orderId, actor, now: at(minute), durationMinutes }));

  it('lists a locked order with holder, organisation, lock times, case number and court', async () => {
    const orderId = await addOrder();
    await lock(orderId, 1);
    await h.project();

    expect(await lockedOrders(h.db.pool, { now: instant(2) })).toEqual([
      {
        orderId, caseNumber: 'FL-2025-000123', courtOri: COURT_ORI, sealed: false,
        lockedBy: 'clerk-1', lockedByOrganisation: COURT_ORI, lockedAt: at(1), expiresAt: at(31),
      },
    ]);
  });

  it('drops the order when its holder unlocks it or an administrator forces it open', async () => {
    const [released, forced, kept] = [await addOrder('A-1'), await addOrder('A-2'), await addOrder('A-3')];
    for (const orderId of [released, forced, kept]) await lock(orderId, 1);
    await h.order(command('UnlockOrder', { orderId: released, now: at(2) }));
    await h.order(command('UnlockOrder', { orderId: forced, now: at(2), actor: actors.admin }));
    await h.project();

    expect((await lockedOrders(h.db.pool, { now: instant(3) })).map((o) => o.orderId)).toEqual([kept]);
  });

  it('hides a lock once it has expired, and lists the lock someone takes after it', async () => {
    const orderId = await addOrder();
    await lock(orderId, 0, actors.clerk, 10);
    await h.project();
    expect(await lockedOrders(h.db.pool, { now: instant(9) })).toHaveLength(1);
    expect(await lockedOrders(h.db.pool, { now: instant(10) })).toEqual([]);

    await lock(orderId, 20, actors.otherClerk);
    await h.project();
    expect(await lockedOrders(h.db.pool, { now: instant(21) })).toMatchObject([{ orderId, lockedBy: 'clerk-2', lockedAt: at(20) }]);
  });

  it("lists oldest locks first and filters by the holder's organisation", async () => {
    const [later, earlier, elsewhere] = [await addOrder('B-1'), await addOrder('B-2'), await addOrder('B-3')];
    await lock(later, 5);
    await lock(earlier, 1);
    await lock(elsewhere, 3, { userId: 'deputy-9', organisation: OTHER_COURT_ORI, roles: ['QUERY_UPDATE'] });
    await h.project();

    const ids = async (organisation?: string) => (await lockedOrders(h.db.pool, { organisation, now: instant(6) })).map((o) => o.orderId);
    expect(await ids()).toEqual([earlier, elsewhere, later]);
    expect(await ids(COURT_ORI)).toEqual([earlier, later]);
    expect(await ids(OTHER_COURT_ORI)).toEqual([elsewhere]);
  });

  it('follows a case number changed by OrderModified and the sealed flag', async () => {
    const orderId = await addOrder('OLD-1');
    await h.order(command('SealOrder', { orderId, actor: actors.sealedClerk }));
    await lock(orderId, 1, actors.sealedClerk);
    await h.order(command('ModifyOrder', { orderId, actor: actors.sealedClerk, now: at(2), patch: { caseNumber: 'NEW-1' } }));
    await h.project();

    expect(await lockedOrders(h.db.pool, { now: instant(3) })).toMatchObject([{ orderId, caseNumber: 'NEW-1', sealed: true }]);
  });

  it('re-applying a stale OrderLocked after the unlock does not bring the lock back', async () => {
    const orderId = await addOrder();
    await lock(orderId, 1);
    await h.order(command('UnlockOrder', { orderId, now: at(2) }));
    await h.project();
    await h.project();

    const live = await liveGeneration(h.db.pool, lockedOrdersProjection.name);
    const ctx = { db: h.db.pool, indexed: true, ...tableNames(lockedOrdersProjection, live!.generation) };
    for (const event of await h.store.readStream(`order-${orderId}`)) await lockedOrdersProjection.handle(ctx, event);

    expect(await lockedOrders(h.db.pool, { now: instant(3) })).toEqual([]);
    const { rows } = await h.db.pool.query('SELECT revision FROM locked_orders_orders WHERE order_id = $1', [orderId]);
    expect(rows).toEqual([{ revision: '2' }]);
  });
});
