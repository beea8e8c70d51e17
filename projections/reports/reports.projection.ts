import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { DraftOrderData } from '../../src/orders/order-data';
import { recordedOrderEvent, RecordedOrderEvent } from '../../src/orders/order-history';
import type { OrderEventType } from '../../src/orders/order.events';
import type { PrepareContext, PreparedBatch, Projection, ProjectionContext, TableNames } from '../../src/projection-engine/projection';
import { prepareAndWrite, rowsBefore, yielder } from '../../src/projection-engine/projection';
import { copyRows, copyText, copyUpsert } from '../../src/postgres/copy-rows';
import { courtDate, courtMonth } from '../../src/shared/court-calendar';

/**
 * The monthly court reports (DESIGN §10; the CCPOR "basic reporting"), kept as counters so a
 * report over ten years of a court's orders reads a few hundred rows:
 *
 * - `activity`: how many times something happened to a court's orders in a court month, per
 *   order type, acting user and kind (drafted, added, served, …). Volume, orders-by-type and
 *   per-user figures are sums of it.
 * - `status_changes`: per court month, order type and status, the net change in the number of
 *   orders in that status. Summed over every month up to M, it is the number of records in each
 *   status at the end of M (Total Record Count, active orders by type).
 * - `orders`: each order's current court, type, status, expiration date and drafting day, for
 *   the aging report, the expiry job, and for attributing events that carry no order data.
 *
 * Months and days are court time (America/Los_Angeles) of the command's `occurredAt`. An event is
 * counted for the court the order belongs to after it. Counters only ever add, guarded by the
 * order's stream revision: an event at or below the revision stored for its order is a replay
 * and counts nothing.
 */

export const ORDER_STATUSES = ['DRAFT', 'ACTIVE', 'CANCELLED', 'EXPIRED'] as const;
export type ReportStatus = (typeof ORDER_STATUSES)[number];

/** What can happen to an order in a month; `submittedToCarpos` counts orders added or cloned for DOJ. */
export const ACTIVITY_KINDS = [
  'drafted', 'added', 'cloned', 'modified', 'served', 'cancelled', 'expired', 'sealed', 'unsealed', 'imagesAttached', 'submittedToCarpos',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

const KIND_OF_EVENT: Partial<Record<OrderEventType, ActivityKind>> = {
  OrderDrafted: 'drafted',
  OrderAdded: 'added',
  OrderCloned: 'cloned',
  OrderModified: 'modified',
  OrderServed: 'served',
  OrderCancelled: 'cancelled',
  OrderExpired: 'expired',
  OrderSealed: 'sealed',
  OrderUnsealed: 'unsealed',
  ImageAttached: 'imagesAttached',
};

const TABLES = ['orders', 'activity', 'status_changes'] as const;

function createTables({ table }: TableNames): string {
  const [orders, activity, statusChanges] = TABLES.map((name) => table(name));
  return `
CREATE TABLE ${orders} (
  order_id        uuid PRIMARY KEY,
  revision        bigint NOT NULL,
  court_ori       text NOT NULL,
  county          text,
  order_type      text NOT NULL,
  status          text NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'CANCELLED', 'EXPIRED')),
  expiration_date date,
  -- court day the order was drafted on: the age of a draft
  drafted_on      date
);
CREATE TABLE ${activity} (
  court_ori          text NOT NULL,
  month              text NOT NULL,
  order_type         text NOT NULL,
  actor_user_id      text NOT NULL,
  actor_organisation text NOT NULL,
  kind               text NOT NULL,
  count              bigint NOT NULL
);
CREATE TABLE ${statusChanges} (
  court_ori  text NOT NULL,
  month      text NOT NULL,
  order_type text NOT NULL,
  status     text NOT NULL,
  delta      bigint NOT NULL
);`;
}

/**
 * The counters' keys. A generation catching up appends each batch's increments to the counter
 * tables as rows of their own (see prepareBatch); they are added up here, once (indexGeneration),
 * before the key that later increments are upserted on is made.
 */
function createIndexes({ table }: TableNames): string {
  const sums = (name: string, key: readonly string[], count: string, primaryKey: readonly string[]) => `
CREATE TEMP TABLE ${name}_sums ON COMMIT DROP AS SELECT ${key.join(', ')}, sum(${count})::bigint AS ${count} FROM ${table(name)} GROUP BY ${key.join(', ')};
TRUNCATE ${table(name)};
INSERT INTO ${table(name)} (${key.join(', ')}, ${count}) SELECT * FROM ${name}_sums;
ALTER TABLE ${table(name)} ADD PRIMARY KEY (${primaryKey.join(', ')});`;
  // Hashing a rebuild's increments (a million rows) in memory rather than spilling them to disk.
  return `SET LOCAL work_mem = '256MB';${sums('activity', ACTIVITY_KEY, 'count', ['court_ori', 'month', 'kind', 'order_type', 'actor_user_id', 'actor_organisation'])}${sums(
    'status_changes',
    STATUS_KEY,
    'delta',
    STATUS_KEY,
  )}`;
}

/** The aging report reads a court's orders by status; the expiry job reads active orders by expiration date. */
function queryIndexes({ table }: TableNames): string[] {
  const orders = table('orders');
  return [
    `CREATE INDEX IF NOT EXISTS ${orders}_court ON ${orders} (court_ori, status)`,
    `CREATE INDEX IF NOT EXISTS ${orders}_expiring ON ${orders} (expiration_date, order_id) WHERE status = 'ACTIVE'`,
  ];
}

interface OrderRow {
  order_id: string;
  revision: number;
  court_ori: string;
  county: string | null;
  order_type: string;
  status: ReportStatus;
  expiration_date: string | null;
  drafted_on: string | null;
}

/**
 * Counter increments of one batch, keyed by their primary key. A key whose increments cancel
 * out (+1 −1) is still written: a rebuild in other batch sizes must leave exactly the rows the
 * live projection left, zero rows included.
 */
class Increments<Row extends object> {
  private readonly rows = new Map<string, Row & { n: number }>();
  add(key: Row, n: number): void {
    // Key values are codes, months and user ids: none holds a NUL.
    const id = Object.values(key).join('\u0000');
    const row = this.rows.get(id) ?? { ...key, n: 0 };
    row.n += n;
    this.rows.set(id, row);
  }
  get list(): (Row & { n: number })[] {
    return [...this.rows.values()];
  }
}

type StatusKey = { court_ori: string; month: string; order_type: string; status: ReportStatus };
type ActivityKey = { court_ori: string; month: string; order_type: string; actor_user_id: string; actor_organisation: string; kind: ActivityKind };

/** Each table's columns in one order, for the COPY text and the statements alike (the order id first). */
const ORDER_COLUMNS = [
  'order_id', 'revision', 'court_ori', 'county', 'order_type', 'status', 'expiration_date', 'drafted_on',
] as const satisfies readonly (keyof OrderRow)[];
const ACTIVITY_KEY = ['court_ori', 'month', 'order_type', 'actor_user_id', 'actor_organisation', 'kind'] as const satisfies readonly (keyof ActivityKey)[];
const STATUS_KEY = ['court_ori', 'month', 'order_type', 'status'] as const satisfies readonly (keyof StatusKey)[];

function withData(row: Pick<OrderRow, 'order_id' | 'revision' | 'status' | 'drafted_on'>, data: DraftOrderData): OrderRow {
  return {
    ...row,
    court_ori: data.court.ori,
    county: data.court.county ?? null,
    order_type: data.orderType,
    expiration_date: data.expirationDate ?? null,
  };
}

/** The order after the event; undefined for an order never seen created (a drafting, adding or cloning event). */
function apply(before: OrderRow | undefined, event: RecordedOrderEvent): OrderRow | undefined {
  const base = { order_id: event.orderId, revision: Number(event.revision) };
  switch (event.type) {
    case 'OrderDrafted':
      return withData({ ...base, status: 'DRAFT', drafted_on: courtDate(event.metadata.occurredAt) }, event.data.data);
    case 'OrderAdded':
    case 'OrderCloned':
      return withData({ ...base, status: 'ACTIVE', drafted_on: before?.drafted_on ?? null }, event.data.data);
    case 'OrderModified':
      return before && withData({ ...before, ...base }, event.data.data);
    case 'OrderCancelled':
      return before && { ...before, ...base, status: 'CANCELLED' };
    case 'OrderExpired':
      return before && { ...before, ...base, status: 'EXPIRED' };
    default:
      return before && { ...before, ...base };
  }
}

/**
 * Adds a batch's counts (COPY text: the key's columns, then the count) to a counter table. A
 * generation catching up appends them, to be added up by createIndexes: a rebuild's batches
 * touch thousands of keys each, and upserting them was most of its writes.
 */
function addCounts(ctx: ProjectionContext, table: string, key: readonly string[], count: string, rows: string): Promise<void> {
  if (!ctx.indexed) return copyRows(ctx.db, ctx.table(table), [...key, count], rows);
  return copyUpsert(ctx.db, ctx.table(table), [...key, count], rows, `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${count} = t.${count} + EXCLUDED.${count}`);
}

/**
 * Set-based (rebuilds apply millions of events), prepared ahead: the batch's orders seen before
 * are taken from the batch before (still being written) or read, their events folded in memory,
 * and orders and counters written with three upserts.
 */
async function prepareBatch(batch: readonly RecordedEvent[], { db, table, previous }: PrepareContext): Promise<PreparedBatch> {
  const pause = yielder();
  const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
  const orders = await rowsBefore(events, (event) => event.orderId, previous, async (orderIds) => {
    const { rows } = await db.query<OrderRow>(
      `SELECT order_id, revision::int AS revision, court_ori, county, order_type, status,
              expiration_date::text AS expiration_date, drafted_on::text AS drafted_on
         FROM ${table('orders')} WHERE order_id = ANY ($1::uuid[])`,
      [orderIds],
    );
    return rows.map((row): [string, OrderRow] => [row.order_id, row]);
  });
  const changed = new Map<string, OrderRow>();
  const statusChanges = new Increments<StatusKey>();
  const activity = new Increments<ActivityKey>();

  for (const event of events) {
    await pause();
    const before = orders.get(event.orderId);
    if (before && before.revision >= Number(event.revision)) continue;
    const after = apply(before, event);
    // No court to count it for.
    if (!after) continue;
    const month = courtMonth(event.metadata.occurredAt);
    const statusKey = (row: OrderRow): StatusKey => ({ court_ori: row.court_ori, month, order_type: row.order_type, status: row.status });
    // A record moves when its status, court or type changes; anything else leaves the counts as they are.
    if (!before || before.status !== after.status || before.court_ori !== after.court_ori || before.order_type !== after.order_type) {
      if (before) statusChanges.add(statusKey(before), -1);
      statusChanges.add(statusKey(after), +1);
    }
    const count = (kind: ActivityKind) =>
      activity.add(
        {
          court_ori: after.court_ori,
          month,
          order_type: after.order_type,
          actor_user_id: event.metadata.actorUserId,
          actor_organisation: event.metadata.actorOrganisation,
          kind,
        },
        1,
      );
    const kind = KIND_OF_EVENT[event.type];
    if (kind) count(kind);
    if ((event.type === 'OrderAdded' || event.type === 'OrderCloned') && event.data.submitToCarpos) count('submittedToCarpos');
    orders.set(event.orderId, after);
    changed.set(event.orderId, after);
  }
  const orderRows = copyText([...changed.values()].map((row) => ORDER_COLUMNS.map((column) => row[column])));
  const activityRows = copyText(activity.list.map((row) => [...ACTIVITY_KEY.map((column) => row[column]), row.n]));
  const statusRows = copyText(statusChanges.list.map((row) => [...STATUS_KEY.map((column) => row[column]), row.n]));

  return {
    rows: changed,
    async write(ctx) {
      if (changed.size === 0) return;
      await copyUpsert(
        ctx.db,
        ctx.table('orders'),
        ORDER_COLUMNS,
        orderRows,
        `ON CONFLICT (order_id) DO UPDATE SET ${ORDER_COLUMNS.slice(1).map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`,
      );
      await addCounts(ctx, 'activity', ACTIVITY_KEY, 'count', activityRows);
      await addCounts(ctx, 'status_changes', STATUS_KEY, 'delta', statusRows);
    },
  };
}

export const reportsProjection: Projection = {
  name: 'reports',
  // 2: counters appended while catching up and added up when indexed
  version: 2,
  perStream: true,
  eventTypes: [
    'OrderDrafted', 'OrderAdded', 'OrderCloned', 'OrderModified', 'OrderServed', 'OrderCancelled', 'OrderExpired',
    'OrderSealed', 'OrderUnsealed', 'ImageAttached',
  ] satisfies OrderEventType[],
  tables: TABLES,
  createTables,
  createIndexes,
  queryIndexes,
  handle: (ctx, event) => prepareAndWrite(reportsProjection, ctx, [event]),
  prepareBatch,
};
