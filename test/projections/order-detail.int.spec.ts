import { randomUUID } from 'node:crypto';
import { orderDetailProjection } from '../../projections/order-detail/order-detail.projection';
import { getOrderDetail } from '../../projections/order-detail/order-detail.query';
import type { OrderCommand } from '../../src/orders/order.commands';
import { actors, command, COURT_ORI, draftData, fullOrderData, NOW } from '../../src/orders/order.fixtures.spec';
import { inTransaction } from '../../src/postgres/transaction';
import { catchUp } from '../../src/projection-engine/catch-up';
import { tableNames } from '../../src/projection-engine/projection';
import { createGeneration, liveGeneration, swapLive } from '../../src/projection-engine/projection-registry';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

const SHA = (digit: string) => digit.repeat(64);
const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

describe('order detail read model', () => {
  let h: ProjectionHarness;
  beforeAll(async () => {
    h = await projectionHarness(orderDetailProjection);
  });
  afterAll(() => h.teardown());

  /** Runs the commands on a new order (each a minute after the previous) and projects. */
  async function orderAfter(...steps: ((orderId: string) => OrderCommand)[]): Promise<string> {
    const orderId = randomUUID();
    for (const [i, step] of steps.entries()) await h.order({ ...step(orderId), now: at(i) });
    await h.project();
    return orderId;
  }
  const add = (submitToCarpos = false) => (orderId: string) => command('AddOrder', { orderId, data: fullOrderData(), submitToCarpos });

  it('shows the order data, ACTIVE status, CARPOS submission and who created it after AddOrder', async () => {
    const orderId = await orderAfter(add(true));
    const created = { at: at(0), userId: 'clerk-1', organisation: COURT_ORI };
    expect(await getOrderDetail(h.db.pool, orderId)).toStrictEqual({
      orderId,
      revision: 0,
      status: 'ACTIVE',
      sealed: false,
      data: fullOrderData(),
      services: [],
      images: [],
      lock: null,
      carpos: { submitted: true, fcn: null, lastAnswer: null },
      cancellation: null,
      clonedFrom: null,
      created,
      updated: created,
    });
  });

  it('shows a draft as DRAFT with its partial data', async () => {
    const orderId = await orderAfter((id) => command('DraftOrder', { orderId: id, data: draftData() }));
    expect(await getOrderDetail(h.db.pool, orderId)).toMatchObject({ status: 'DRAFT', data: draftData(), carpos: { submitted: false } });
  });

  it('shows the modified data and who last updated it, keeping who created it', async () => {
    const orderId = await orderAfter(add(), (id) =>
      command('ModifyOrder', { orderId: id, actor: actors.otherClerk, patch: { judge: 'Hon. B. Jones' } }),
    );
    const detail = await getOrderDetail(h.db.pool, orderId);
    expect(detail?.data.judge).toBe('Hon. B. Jones');
    expect(detail?.revision).toBe(1);
    expect(detail?.created).toEqual({ at: at(0), userId: 'clerk-1', organisation: COURT_ORI });
    expect(detail?.updated).toEqual({ at: at(1), userId: 'clerk-2', organisation: COURT_ORI });
  });

  it('lists every proof of service in the order recorded', async () => {
    const serve = (servedBy: string, method: 'PERSONAL' | 'MAIL') => (orderId: string) =>
      command('ServeOrder', { orderId, servedAt: '2025-02-28T09:00:00.000Z', method, servedBy, agency: 'Fresno SO' });
    const orderId = await orderAfter(add(), serve('Deputy A', 'MAIL'), serve('Deputy B', 'PERSONAL'));
    expect((await getOrderDetail(h.db.pool, orderId))?.services).toEqual([
      { servedAt: '2025-02-28T09:00:00.000Z', method: 'MAIL', servedBy: 'Deputy A', agency: 'Fresno SO' },
      { servedAt: '2025-02-28T09:00:00.000Z', method: 'PERSONAL', servedBy: 'Deputy B', agency: 'Fresno SO' },
    ]);
  });

  it('shows the lock holder, organisation and expiry, and no lock after UnlockOrder', async () => {
    const lock = (orderId: string) => command('LockOrder', { orderId, durationMinutes: 15 });
    const locked = await orderAfter(add(), lock);
    expect((await getOrderDetail(h.db.pool, locked))?.lock).toEqual({ holder: 'clerk-1', organisation: COURT_ORI, expiresAt: at(16) });
    const unlocked = await orderAfter(add(), lock, (orderId) => command('UnlockOrder', { orderId }));
    expect((await getOrderDetail(h.db.pool, unlocked))?.lock).toBeNull();
  });

  it('shows the sealed flag after SealOrder and clears it after UnsealOrder', async () => {
    const seal = (orderId: string) => command('SealOrder', { orderId, actor: actors.sealedClerk });
    expect((await getOrderDetail(h.db.pool, await orderAfter(add(), seal)))?.sealed).toBe(true);
    const unseal = (orderId: string) => command('UnsealOrder', { orderId, actor: actors.sealedClerk });
    expect((await getOrderDetail(h.db.pool, await orderAfter(add(), seal, unseal)))?.sealed).toBe(false);
  });

  it('lists attached images with their metadata', async () => {
    const attach = (sha256: string) => (orderId: string) =>
      command('AttachImage', { orderId, image: { sha256, contentType: 'application/pdf', sizeBytes: 2048, pageCount: 3 } });
    const orderId = await orderAfter(add(), attach(SHA('a')), attach(SHA('b')));
    expect((await getOrderDetail(h.db.pool, orderId))?.images).toEqual([
      { sha256: SHA('a'), contentType: 'application/pdf', sizeBytes: 2048, pageCount: 3 },
      { sha256: SHA('b'), contentType: 'application/pdf', sizeBytes: 2048, pageCount: 3 },
    ]);
  });

  it('shows CANCELLED with the reason after CancelOrder', async () => {
    const orderId = await orderAfter(add(), (id) => command('CancelOrder', { orderId: id, reason: 'OTHER', reasonText: 'Parties reconciled' }));
    expect(await getOrderDetail(h.db.pool, orderId)).toMatchObject({
      status: 'CANCELLED',
      cancellation: { reason: 'OTHER', reasonText: 'Parties reconciled' },
    });
  });

  it("shows DOJ's acceptance with the 13-digit FCN, the TCN and when it was recorded", async () => {
    const orderId = await orderAfter(add(true), (id) =>
      command('RecordCarposAnswer', {
        orderId: id,
        actor: actors.worker,
        answer: { accepted: true, tcn: 'TCN-1', transactionType: 'ENTER', fcn: '2025000000123' },
      }),
    );
    expect((await getOrderDetail(h.db.pool, orderId))?.carpos).toEqual({
      submitted: true,
      fcn: '2025000000123',
      lastAnswer: {
        accepted: true, transactionType: 'ENTER', tcn: 'TCN-1', fcn: '2025000000123',
        code: null, message: null, inputEcho: null, answeredAt: at(1),
      },
    });
  });

  it("shows DOJ's rejection with its code and message, and no FCN", async () => {
    const orderId = await orderAfter(add(true), (id) =>
      command('RecordCarposAnswer', {
        orderId: id,
        actor: actors.worker,
        answer: { accepted: false, tcn: 'TCN-2', transactionType: 'ENTER', code: 'REJECT ON FILE', message: 'DUPLICATE ENTRY', inputEcho: 'x'.repeat(150) },
      }),
    );
    expect((await getOrderDetail(h.db.pool, orderId))?.carpos).toEqual({
      submitted: true,
      fcn: null,
      lastAnswer: {
        accepted: false, transactionType: 'ENTER', tcn: 'TCN-2', fcn: null,
        code: 'REJECT ON FILE', message: 'DUPLICATE ENTRY', inputEcho: 'x'.repeat(100), answeredAt: at(1),
      },
    });
  });

  it('shows which order a clone was made from', async () => {
    const source = await orderAfter(add());
    const clone = await orderAfter((orderId) =>
      command('CloneOrder', { orderId, source: { orderId: source, status: 'ACTIVE', data: fullOrderData() }, submitToCarpos: false }),
    );
    expect(await getOrderDetail(h.db.pool, clone)).toMatchObject({ clonedFrom: source, status: 'ACTIVE', revision: 0 });
  });

  it('answers undefined for an order it has never seen', async () => {
    expect(await getOrderDetail(h.db.pool, randomUUID())).toBeUndefined();
  });

  describe('replay safety', () => {
    const rows = async () => (await h.db.pool.query('SELECT * FROM order_detail_orders ORDER BY order_id')).rows;
    const allEvents = async () => {
      const events = [];
      for await (const event of h.store.readAll()) events.push(event);
      return events;
    };

    it('catching up again changes nothing', async () => {
      await orderAfter(add(), (orderId) => command('SealOrder', { orderId, actor: actors.sealedClerk }));
      const before = await rows();
      await h.project();
      expect(await rows()).toEqual(before);
    });

    it('re-applying every event, in order and then newest first, changes nothing', async () => {
      await orderAfter(add(), (orderId) => command('LockOrder', { orderId }), (orderId) => command('UnlockOrder', { orderId }));
      const before = await rows();
      const live = await liveGeneration(h.db.pool, orderDetailProjection.name);
      const events = await allEvents();
      // In a transaction of its own, as the engine gives handlers.
      await inTransaction(h.db.pool, async (client) => {
        const ctx = { db: client, indexed: true, ...tableNames(orderDetailProjection, live!.generation) };
        for (const event of [...events, ...[...events].reverse()]) await orderDetailProjection.handle(ctx, event);
      });
      expect(await rows()).toEqual(before);
    });

    it('a generation rebuilt from position zero holds the same rows', async () => {
      await orderAfter(add(), (orderId) => command('ServeOrder', { orderId, servedAt: NOW, method: 'IN_COURT', servedBy: 'Bailiff', agency: 'Court' }));
      const before = await rows();
      const { generation } = await createGeneration(h.db.pool, orderDetailProjection);
      await catchUp(h.db.pool, h.store, orderDetailProjection, generation, { batchSize: 3 });
      await swapLive(h.db.pool, orderDetailProjection, generation);
      expect(await rows()).toEqual(before);
    });
  });
});
