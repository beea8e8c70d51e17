import { randomUUID } from 'node:crypto';
import { orderSearchProjection } from '../../projections/order-search/order-search.projection';
import { searchOrders } from '../../projections/order-search/order-search.query';
import { reportsProjection } from '../../projections/reports/reports.projection';
import { CommandHandler } from '../../src/command-handling/command-handler';
import { orderUpcasters } from '../../src/orders/order-history';
import { orderDecider, orderStream } from '../../src/orders/order.decider';
import { command, fullOrderData } from '../../src/orders/order.fixtures.spec';
import type { OrderData } from '../../src/orders/order-data';
import { expireOrders, SCHEDULER_USER_ID } from '../../src/scheduler/order-expiry';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

/**
 * The daily expiry on the real PostgreSQL event store and read models, with the clock given to
 * the job: the day of expiration is still in force (court time, America/Los_Angeles), orders
 * without an expiration date never expire, and a second run or a second scheduler instance
 * appends nothing.
 */

const OPERATOR = 'CA0000000';
// Pacific daylight time (UTC−7) in March 2026 after the 8th.
const LAST_SECOND_OF_MARCH_10 = new Date('2026-03-11T06:59:59.999Z');
const FIRST_SECOND_OF_MARCH_11 = new Date('2026-03-11T07:00:00.000Z');

describe('order expiry', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await projectionHarness(reportsProjection, orderSearchProjection);
  });
  afterEach(() => h.teardown());

  // Small pages, so that a run reads several.
  const expire = (now: Date, orders = h.orders) => expireOrders({ pool: h.db.pool, orders, operatorOri: OPERATOR, pageSize: 5 }, now);

  async function addOrder(caseNumber: string, expirationDate: string | undefined): Promise<string> {
    const orderId = randomUUID();
    const { expirationDate: _, ...data } = fullOrderData();
    const withExpiry: OrderData = { ...data, caseNumber, issuedDate: '2026-01-05', ...(expirationDate ? { expirationDate } : {}) };
    await h.order(command('AddOrder', { orderId, data: withExpiry, submitToCarpos: false, now: '2026-01-05T18:00:00.000Z' }));
    return orderId;
  }

  async function eventTypes(orderId: string): Promise<string[]> {
    return (await h.store.readStream(orderStream(orderId))).map((event) => event.type);
  }

  it('keeps an order in force through its expiration date and expires it when that court day is over', async () => {
    const due = await addOrder('EXP-1', '2026-03-10');
    const lastDay = await addOrder('EXP-2', '2026-03-11');
    await h.project();

    expect(await expire(LAST_SECOND_OF_MARCH_10)).toEqual({ asOfDate: '2026-03-10', expired: 0, skipped: 0 });
    expect(await eventTypes(due)).toEqual(['OrderAdded']);

    expect(await expire(FIRST_SECOND_OF_MARCH_11)).toEqual({ asOfDate: '2026-03-11', expired: 1, skipped: 0 });
    const [, expired] = await h.store.readStream(orderStream(due));
    expect(expired).toMatchObject({
      type: 'OrderExpired',
      data: { asOfDate: '2026-03-11' },
      metadata: { actorUserId: SCHEDULER_USER_ID, actorOrganisation: OPERATOR, occurredAt: FIRST_SECOND_OF_MARCH_11.toISOString() },
    });
    expect(await eventTypes(lastDay)).toEqual(['OrderAdded']);
  });

  it('never expires an order without an expiration date, a draft or a cancelled order', async () => {
    const open = await addOrder('OPEN-1', undefined);
    const cancelled = await addOrder('CANC-1', '2026-02-01');
    await h.order(command('CancelOrder', { orderId: cancelled, reason: 'TERMINATED_BY_COURT', now: '2026-01-20T18:00:00.000Z' }));
    const draft = randomUUID();
    await h.order(command('DraftOrder', { orderId: draft, data: { ...fullOrderData(), expirationDate: '2026-02-01' }, now: '2026-01-05T18:00:00.000Z' }));
    await h.project();

    expect(await expire(new Date('2030-01-01T12:00:00Z'))).toMatchObject({ expired: 0 });
    expect(await eventTypes(open)).toEqual(['OrderAdded']);
    expect(await eventTypes(cancelled)).toEqual(['OrderAdded', 'OrderCancelled']);
    expect(await eventTypes(draft)).toEqual(['OrderDrafted']);
  });

  it('appends nothing when run again the same day, the next day, or by two scheduler instances at once', async () => {
    const orders = await Promise.all(Array.from({ length: 12 }, (_, i) => addOrder(`TWICE-${i}`, '2026-03-01')));
    await h.project();
    // A second scheduler instance: its own command pipeline (no shared cache) on the same store.
    const otherInstance = new CommandHandler(h.store, orderDecider, { upcasters: orderUpcasters, cacheSize: 0 });

    const [one, two] = await Promise.all([expire(FIRST_SECOND_OF_MARCH_11), expire(FIRST_SECOND_OF_MARCH_11, otherInstance)]);
    expect(one.expired + two.expired).toBe(12);
    expect(one.skipped + two.skipped).toBe(12);
    // Again before the read model has caught up (every order is offered again), and the next day.
    expect(await expire(FIRST_SECOND_OF_MARCH_11)).toMatchObject({ expired: 0, skipped: 12 });
    expect(await expire(new Date('2026-03-12T19:00:00Z'))).toMatchObject({ expired: 0, skipped: 12 });
    await h.project();
    expect(await expire(new Date('2026-03-13T19:00:00Z'))).toEqual({ asOfDate: '2026-03-13', expired: 0, skipped: 0 });

    for (const orderId of orders) expect(await eventTypes(orderId)).toEqual(['OrderAdded', 'OrderExpired']);
  });

  it('lets a search tell expired orders from active ones', async () => {
    const expired = await addOrder('SEARCH-EXPIRED', '2026-03-01');
    const active = await addOrder('SEARCH-ACTIVE', '2027-03-01');
    await h.project();
    await expire(FIRST_SECOND_OF_MARCH_11);
    await h.project();

    const find = async (statuses?: ('ACTIVE' | 'EXPIRED')[]) =>
      (await searchOrders(h.db.pool, { caseNumber: 'SEARCH-%', statuses }, 1, { includeSealed: false })).items.map((i) => [i.orderId, i.status]);
    expect(await find(['ACTIVE'])).toEqual([[active, 'ACTIVE']]);
    expect(await find(['EXPIRED'])).toEqual([[expired, 'EXPIRED']]);
    expect(await find()).toHaveLength(2);
  });
});
