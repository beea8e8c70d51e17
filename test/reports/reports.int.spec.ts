import { randomUUID } from 'node:crypto';
import { reportsProjection } from '../../projections/reports/reports.projection';
import { carposTransactionsProjection } from '../../projections/carpos-transactions/carpos-transactions.projection';
import { orderCountByUser, ordersByType, totalRecordCount, volumeSummary } from '../../projections/reports/reports.query';
import { COURTS, OrderGenerator } from '../../src/demo/order-generator';
import { orderLifecycle } from '../../src/demo/order-lifecycle';
import type { OrderCommand } from '../../src/orders/order.commands';
import { ORDER_TYPES } from '../../src/orders/order-data';
import { agingReport } from '../../src/reports/aging';
import { reportSet, ReportSnapshots, snapshotReports } from '../../src/reports/report-snapshots';
import { expireOrders } from '../../src/scheduler/order-expiry';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

/**
 * The report figures against counts the test makes itself from the commands it generated
 * (realistic lifecycles from the demo generator over five months, three courts, two clerks a
 * court, the nightly expiry), never from a read model. Then the monthly snapshot: made once.
 */

const COURTS_USED = COURTS.slice(0, 3);
const LAST_DAYS: Record<string, string> = {
  '2026-06': '2026-06-30',
  '2026-07': '2026-07-31',
  '2026-08': '2026-08-31',
  '2026-09': '2026-09-30',
  '2026-10': '2026-10-31',
};
const MONTHS = Object.keys(LAST_DAYS);
const EXPIRY_RUN = new Date('2026-10-05T15:00:00Z');
// 1 November 2026, 01:15 in Los Angeles (still daylight time): the monthly run for October.
const SNAPSHOT_RUN = new Date('2026-11-01T08:15:00Z');
const DAY = 86_400_000;

/** The court day of an instant, written independently of the code under test. */
const laDate = (instant: string | Date) => new Date(instant).toLocaleDateString('en-CA', { timeZone: 'America/Los_Angeles' });
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY;

type Status = 'DRAFT' | 'ACTIVE' | 'CANCELLED' | 'EXPIRED';
interface Simulated {
  court: string;
  county: string;
  type: string;
  expiration?: string;
  draftedOn?: string;
  status?: Status;
  /** [month, status after the month's last change] */
  history: [string, Status][];
}

/** Everything the reports should say, counted from the commands. */
class Expected {
  readonly orders = new Map<string, Simulated>();
  /** court → month → kind → count; and per user, per type. */
  readonly volume = new Map<string, number>();

  private bump(key: string[]) {
    const id = key.join('|');
    this.volume.set(id, (this.volume.get(id) ?? 0) + 1);
  }
  count(...key: string[]): number {
    return this.volume.get(key.join('|')) ?? 0;
  }

  record(orderId: string, kind: string, at: string, user: string, organisation: string, status?: Status): void {
    const order = this.orders.get(orderId)!;
    const month = laDate(at).slice(0, 7);
    this.bump([order.court, month, kind]);
    this.bump([order.court, month, kind, 'type', order.type]);
    this.bump([order.court, month, kind, 'user', user, organisation]);
    if (status) {
      order.status = status;
      order.history.push([month, status]);
    }
  }

  apply(command: OrderCommand): void {
    const { userId, organisation } = command.actor;
    const kind: Record<OrderCommand['type'], string | undefined> = {
      DraftOrder: 'drafted', AddOrder: 'added', CloneOrder: 'cloned', ModifyOrder: 'modified', ServeOrder: 'served',
      CancelOrder: 'cancelled', SealOrder: 'sealed', UnsealOrder: 'unsealed', AttachImage: 'imagesAttached',
      LockOrder: undefined, UnlockOrder: undefined, ExpireOrder: undefined, RecordCarposAnswer: undefined,
    };
    if (command.type === 'DraftOrder' || command.type === 'AddOrder') {
      const data = command.data as { court: { ori: string; county: string }; orderType: string; expirationDate?: string };
      const before = this.orders.get(command.orderId);
      this.orders.set(command.orderId, {
        court: data.court.ori,
        county: data.court.county,
        type: data.orderType,
        expiration: data.expirationDate,
        draftedOn: before?.draftedOn ?? (command.type === 'DraftOrder' ? laDate(command.now) : undefined),
        history: before?.history ?? [],
      });
    }
    const status: Partial<Record<OrderCommand['type'], Status>> = { DraftOrder: 'DRAFT', AddOrder: 'ACTIVE', CancelOrder: 'CANCELLED' };
    if (kind[command.type]) this.record(command.orderId, kind[command.type]!, command.now, userId, organisation, status[command.type]);
    if (command.type === 'AddOrder' && command.submitToCarpos) this.record(command.orderId, 'submittedToCarpos', command.now, userId, organisation);
  }

  /** The nightly run: active orders whose expiration date is before the court day expire. */
  expire(at: Date): number {
    let expired = 0;
    for (const [orderId, order] of this.orders) {
      if (order.status === 'ACTIVE' && order.expiration !== undefined && order.expiration < laDate(at)) {
        this.record(orderId, 'expired', at.toISOString(), 'system:scheduler', 'CA0000000', 'EXPIRED');
        expired++;
      }
    }
    return expired;
  }

  statusAtEndOf(order: Simulated, month: string): Status | undefined {
    return order.history.filter(([m]) => m <= month).at(-1)?.[1];
  }
}

describe('monthly court reports', () => {
  let h: ProjectionHarness;
  const expected = new Expected();

  beforeAll(async () => {
    h = await projectionHarness(reportsProjection, carposTransactionsProjection);
    const generator = new OrderGenerator(20261001, { courts: COURTS_USED });
    const plans: OrderCommand[][] = [];
    for (let i = 0; i < 150; i++) {
      const start = new Date(Date.UTC(2026, 5, 1) + generator.pick([...Array(120).keys()]) * DAY + generator.pick([...Array(24).keys()]) * 3_600_000);
      const commands = orderLifecycle(generator, randomUUID(), start);
      // A second clerk of the court works every third order, so the per-user report has more than one row.
      plans.push(i % 3 === 0 ? commands.map((c) => ({ ...c, actor: { ...c.actor, userId: c.actor.userId.replace('clerk-', 'clerk2-') } })) : commands);
    }
    // Either side of midnight between July and August in Los Angeles (06:59 and 07:00 UTC).
    const clerk = { userId: 'clerk-ca010015j', organisation: COURTS_USED[0].ori, roles: ['QUERY_UPDATE_SEALED'] };
    for (const now of ['2026-08-01T06:59:00.000Z', '2026-08-01T07:00:00.000Z']) {
      const data = { ...generator.order(), court: COURTS_USED[0] };
      plans.push([{ type: 'AddOrder', orderId: randomUUID(), now, actor: clerk, data, submitToCarpos: false }]);
    }
    // On the edges of the aging buckets as of the expiry run's court day, 5 October: expiring
    // the day before (expired that night), that day (0 days left), in 30, 31, 365 and 366 days;
    // drafts started 8 (late on 27 September in Los Angeles), 7, 1 and 0 days before.
    const clerkB = { userId: 'clerk-ca020015j', organisation: COURTS_USED[1].ori, roles: ['QUERY_UPDATE_SEALED'] };
    for (const expirationDate of ['2026-10-04', '2026-10-05', '2026-11-04', '2026-11-05', '2027-10-05', '2027-10-06']) {
      const data = { ...generator.order(), court: COURTS_USED[1], issuedDate: '2026-09-01', expirationDate };
      plans.push([{ type: 'AddOrder', orderId: randomUUID(), now: '2026-09-01T18:00:00.000Z', actor: clerkB, data, submitToCarpos: false }]);
    }
    for (const now of ['2026-09-28T06:30:00.000Z', '2026-09-28T12:00:00.000Z', '2026-10-05T06:59:00.000Z', '2026-10-05T07:00:00.000Z']) {
      const data = { court: COURTS_USED[1], orderType: 'DV-110' as const };
      plans.push([{ type: 'DraftOrder', orderId: randomUUID(), now, actor: clerkB, data }]);
    }
    for (const commands of plans) {
      for (const command of commands) {
        await h.order(command);
        expected.apply(command);
      }
    }
    await h.project();
    const outcome = await expireOrders({ pool: h.db.pool, orders: h.orders, operatorOri: 'CA0000000' }, EXPIRY_RUN);
    expect(outcome.expired).toBe(expected.expire(EXPIRY_RUN));
    await h.project();
  }, 120_000);
  afterAll(() => h.teardown());

  const cells = COURTS_USED.flatMap((court) => MONTHS.map((month) => ({ court: court.ori, month })));

  it('has data worth checking: every court has orders added each summer month and expired in October, and every kind occurs', () => {
    for (const { court, month } of cells) expect(expected.count(court, month, month < '2026-10' ? 'added' : 'expired')).toBeGreaterThan(0);
    const kinds = ['drafted', 'added', 'modified', 'served', 'cancelled', 'expired', 'sealed', 'submittedToCarpos'];
    for (const kind of kinds) expect(cells.some(({ court, month }) => expected.count(court, month, kind) > 0)).toBe(true);
  });

  it.each(cells)('Volume Summary of $court in $month counts what happened that month', async ({ court, month }) => {
    const report = await volumeSummary(h.db.pool, court, month);
    const kinds = ['drafted', 'added', 'cloned', 'modified', 'served', 'cancelled', 'expired', 'sealed', 'unsealed', 'imagesAttached', 'submittedToCarpos'];
    expect(report).toEqual({
      court,
      county: COURTS_USED.find((c) => c.ori === court)!.county,
      month,
      ...Object.fromEntries(kinds.map((kind) => [kind, expected.count(court, month, kind)])),
    });
  });

  it.each(cells)('Total Record Count of $court in $month counts records by status at the month’s end', async ({ court, month }) => {
    const statuses = [...expected.orders.values()].filter((o) => o.court === court).map((o) => expected.statusAtEndOf(o, month));
    const count = (status: Status) => statuses.filter((s) => s === status).length;
    const report = await totalRecordCount(h.db.pool, court, month);
    expect(report).toMatchObject({
      month,
      asOfDate: LAST_DAYS[month],
      draft: count('DRAFT'),
      active: count('ACTIVE'),
      cancelled: count('CANCELLED'),
      expired: count('EXPIRED'),
      total: statuses.filter((s) => s !== undefined).length,
    });
  });

  it.each(cells)('Orders by Type of $court in $month lists every form with its orders', async ({ court, month }) => {
    const report = await ordersByType(h.db.pool, court, month);
    expect(report.rows.map((row) => row.orderType)).toEqual([...ORDER_TYPES]);
    for (const row of report.rows) {
      const active = [...expected.orders.values()].filter((o) => o.court === court && o.type === row.orderType && expected.statusAtEndOf(o, month) === 'ACTIVE');
      expect(row).toEqual({
        orderType: row.orderType,
        added: expected.count(court, month, 'added', 'type', row.orderType),
        cloned: 0,
        cancelled: expected.count(court, month, 'cancelled', 'type', row.orderType),
        expired: expected.count(court, month, 'expired', 'type', row.orderType),
        activeAtMonthEnd: active.length,
      });
    }
  });

  it.each(cells)('Order Count by User of $court in $month has a row per user who acted', async ({ court, month }) => {
    const report = await orderCountByUser(h.db.pool, court, month);
    const users = ['clerk', 'clerk2'].map((prefix) => `${prefix}-${court.toLowerCase()}`);
    const kinds = ['drafted', 'added', 'cloned', 'modified', 'served', 'cancelled', 'sealed', 'unsealed', 'imagesAttached'];
    const rows = users
      .map((userId) => {
        const counts = Object.fromEntries(kinds.map((kind) => [kind, expected.count(court, month, kind, 'user', userId, court)]));
        return { userId, organisation: court, ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
      })
      .filter((row) => row.total > 0);
    // The scheduler expired orders but is no user: it has no row.
    expect(report.rows).toEqual(rows);
  });

  it('ages active orders by time to expiry and drafts by age, as of a court day', async () => {
    const today = laDate(EXPIRY_RUN);
    for (const { ori: court } of COURTS_USED) {
      const orders = [...expected.orders.values()].filter((o) => o.court === court);
      const left = orders.filter((o) => o.status === 'ACTIVE').map((o) => (o.expiration === undefined ? null : days(today, o.expiration)));
      const age = orders.filter((o) => o.status === 'DRAFT').map((o) => days(o.draftedOn!, today));
      const within = (list: (number | null)[], from: number, to = Infinity) => list.filter((d) => d !== null && d >= from && d <= to).length;
      const report = await agingReport(h.db.pool, court, today);
      expect(report.asOfDate).toBe(today);
      expect(report.sections.map((s) => [s.name, s.buckets.map((b) => b.count)])).toEqual([
        [
          'activeOrdersByTimeToExpiry',
          [within(left, -Infinity, -1), within(left, 0, 30), within(left, 31, 90), within(left, 91, 180), within(left, 181, 365), within(left, 366), left.filter((d) => d === null).length],
        ],
        ['draftsByAge', [within(age, 0, 7), within(age, 8, 30), within(age, 31, 90), within(age, 91)]],
        // These courts have no CARPOS (test/carpos checks this section with transactions waiting).
        ['pendingCarposTransactionsByAge', [0, 0, 0, 0]],
      ]);
      // The night's run left nothing past its expiration date.
      expect(report.sections[0].buckets[0].count).toBe(0);
      expect(left.length + age.length).toBeGreaterThan(0);
    }
  });

  it('counts an order added at 23:59 on 31 July (Los Angeles) in July, and at 00:00 on 1 August in August', async () => {
    const court = COURTS_USED[0].ori;
    const added = (month: string) => expected.count(court, month, 'added');
    expect((await volumeSummary(h.db.pool, court, '2026-07')).added).toBe(added('2026-07'));
    expect((await volumeSummary(h.db.pool, court, '2026-08')).added).toBe(added('2026-08'));
    expect(laDate('2026-08-01T06:59:00.000Z')).toBe('2026-07-31');
  });

  it('takes each court’s October snapshot once on 1 November, whoever runs it and however often', async () => {
    const snapshots = new ReportSnapshots(h.db.pool);
    await ReportSnapshots.ensureSchema(h.db.pool);
    const deps = { pool: h.db.pool, store: h.store, snapshots };

    // Two scheduler instances at once, then a rerun: one snapshot per court.
    const [first, second] = await Promise.all([snapshotReports(deps, SNAPSHOT_RUN), snapshotReports(deps, SNAPSHOT_RUN)]);
    expect(first.month).toBe('2026-10');
    expect([...first.created, ...second.created].sort()).toEqual(COURTS_USED.map((c) => c.ori).sort());
    const rerun = await snapshotReports(deps, new Date(SNAPSHOT_RUN.getTime() + 3_600_000));
    expect(rerun).toEqual({ month: '2026-10', created: [], existing: COURTS_USED.map((c) => c.ori).sort() });

    for (const { ori } of COURTS_USED) {
      const [snapshot, ...more] = await snapshots.list(ori);
      expect(more).toEqual([]);
      expect(snapshot).toMatchObject({ court: ori, month: '2026-10', takenAt: SNAPSHOT_RUN.toISOString() });
      // What the courts were sent: the October figures, aged as of 1 November.
      expect(snapshot.reports).toEqual(await reportSet(h.db.pool, ori, '2026-10', '2026-11-01'));
      expect(snapshot.reports.volumeSummary.added).toBe(expected.count(ori, '2026-10', 'added'));
    }
    await expect(h.db.pool.query(`UPDATE report_snapshots SET reports = '{}'`)).rejects.toThrow(/append-only/);
    await expect(h.db.pool.query(`DELETE FROM report_snapshots`)).rejects.toThrow(/append-only/);
  });
});
