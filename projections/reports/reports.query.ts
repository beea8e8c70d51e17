import type { Pool, PoolClient } from 'pg';
import { ORDER_TYPES } from '../../src/orders/order-data';
import { viewName } from '../../src/projection-engine/projection';
import { lastDayOf } from '../../src/shared/court-calendar';
import { ACTIVITY_KINDS, ActivityKind, ORDER_STATUSES, reportsProjection } from './reports.projection';

/**
 * The court reports of a month, read from the counters (see reports.projection.ts). Months are
 * YYYY-MM and days YYYY-MM-DD in court time; callers check them. Every report names its court
 * (ORI and county) and period, so a file stands on its own once downloaded.
 */

type Db = Pick<Pool | PoolClient, 'query'>;
const view = (table: string) => viewName(reportsProjection, table);

export interface ReportHeading {
  court: string;
  /** From the court's orders; null for a court without any. */
  county: string | null;
  month: string;
}

/** Volume Summary by Court: everything that happened to the court's orders in the month. */
export type VolumeSummary = ReportHeading & Record<ActivityKind, number>;

export const TYPE_KINDS = ['added', 'cloned', 'cancelled', 'expired'] as const satisfies readonly ActivityKind[];
/** Orders by Type Summary: per Judicial Council form, what came and went in the month and what was in force at its end. */
export type OrdersByTypeRow = { orderType: string; activeAtMonthEnd: number } & Record<(typeof TYPE_KINDS)[number], number>;
export interface OrdersByType extends ReportHeading {
  rows: OrdersByTypeRow[];
}

/** Total Record Count: the court's records by status at the end of the month. */
export type TotalRecordCount = ReportHeading & { asOfDate: string; total: number } & Record<'draft' | 'active' | 'cancelled' | 'expired', number>;

/** What users do to orders; expiry (the scheduler) and CARPOS submission are no user's work of their own. */
export const USER_KINDS = [
  'drafted', 'added', 'cloned', 'modified', 'served', 'cancelled', 'sealed', 'unsealed', 'imagesAttached',
] as const satisfies readonly ActivityKind[];
/** Order Count by User: per user (of any organisation) who acted on the court's orders in the month. */
export type UserOrderCount = { userId: string; organisation: string; total: number } & Record<(typeof USER_KINDS)[number], number>;
export interface OrderCountByUser extends ReportHeading {
  rows: UserOrderCount[];
}

/**
 * An age range in whole days, both ends included; an open end is null. Both null: the rows
 * without a date (an order without an expiration date).
 */
export interface AgeBucket {
  label: string;
  fromDays: number | null;
  toDays: number | null;
}
export type AgeBucketCount = AgeBucket & { count: number };

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

export async function courtCounty(db: Db, court: string): Promise<string | null> {
  const { rows } = await db.query(`SELECT county FROM ${view('orders')} WHERE court_ori = $1 AND county IS NOT NULL LIMIT 1`, [court]);
  return rows[0]?.county ?? null;
}

async function heading(db: Db, court: string, month: string): Promise<ReportHeading> {
  return { court, county: await courtCounty(db, court), month };
}

/** Activity counts of the month, by whatever `groupBy` names (columns of the activity view). */
async function activity(db: Db, court: string, month: string, kinds: readonly ActivityKind[], groupBy: string[] = []) {
  const columns = [...groupBy, 'kind'].join(', ');
  const { rows } = await db.query(
    `SELECT ${columns}, sum(count)::int AS n FROM ${view('activity')}
      WHERE court_ori = $1 AND month = $2 AND kind = ANY ($3::text[]) GROUP BY ${columns}`,
    [court, month, kinds],
  );
  return rows as (Record<string, string> & { kind: ActivityKind; n: number })[];
}

/** Records per status (and order type) at the end of `month`: every change up to it, summed. */
async function recordsAtEndOf(db: Db, court: string, month: string) {
  const { rows } = await db.query(
    `SELECT order_type, status, sum(delta)::int AS n FROM ${view('status_changes')}
      WHERE court_ori = $1 AND month <= $2 GROUP BY order_type, status`,
    [court, month],
  );
  return rows as { order_type: string; status: (typeof ORDER_STATUSES)[number]; n: number }[];
}

export async function volumeSummary(db: Db, court: string, month: string): Promise<VolumeSummary> {
  const counts = zeros(ACTIVITY_KINDS);
  for (const { kind, n } of await activity(db, court, month, ACTIVITY_KINDS)) counts[kind] = n;
  return { ...(await heading(db, court, month)), ...counts };
}

/** Every order type, in the forms' order, with zeros where nothing happened, so files line up month by month. */
export async function ordersByType(db: Db, court: string, month: string): Promise<OrdersByType> {
  const rows = new Map<string, OrdersByTypeRow>();
  // Types off the list (a form retired after orders were entered on it) still get their row.
  const row = (orderType: string) => {
    if (!rows.has(orderType)) rows.set(orderType, { orderType, ...zeros(TYPE_KINDS), activeAtMonthEnd: 0 });
    return rows.get(orderType)!;
  };
  ORDER_TYPES.forEach(row);
  for (const { order_type, kind, n } of await activity(db, court, month, TYPE_KINDS, ['order_type'])) {
    row(order_type)[kind as (typeof TYPE_KINDS)[number]] = n;
  }
  for (const { order_type, status, n } of await recordsAtEndOf(db, court, month)) {
    if (status === 'ACTIVE') row(order_type).activeAtMonthEnd = n;
  }
  return { ...(await heading(db, court, month)), rows: [...rows.values()] };
}

export async function totalRecordCount(db: Db, court: string, month: string): Promise<TotalRecordCount> {
  const counts = zeros(['draft', 'active', 'cancelled', 'expired'] as const);
  for (const { status, n } of await recordsAtEndOf(db, court, month)) counts[status.toLowerCase() as keyof typeof counts] += n;
  const total = counts.draft + counts.active + counts.cancelled + counts.expired;
  return { ...(await heading(db, court, month)), asOfDate: lastDayOf(month), ...counts, total };
}

/** Users in login-name order; a user acting for two organisations (moved) has a row for each. */
export async function orderCountByUser(db: Db, court: string, month: string): Promise<OrderCountByUser> {
  const users = new Map<string, UserOrderCount>();
  for (const row of await activity(db, court, month, USER_KINDS, ['actor_user_id', 'actor_organisation'])) {
    const key = `${row.actor_user_id}\n${row.actor_organisation}`;
    if (!users.has(key)) users.set(key, { userId: row.actor_user_id, organisation: row.actor_organisation, ...zeros(USER_KINDS), total: 0 });
    const user = users.get(key)!;
    user[row.kind as (typeof USER_KINDS)[number]] = row.n;
    user.total += row.n;
  }
  const byLogin = (a: UserOrderCount, b: UserOrderCount) => (a.userId === b.userId ? (a.organisation < b.organisation ? -1 : 1) : a.userId < b.userId ? -1 : 1);
  return { ...(await heading(db, court, month)), rows: [...users.values()].sort(byLogin) };
}

function bucketCondition({ fromDays, toDays }: AgeBucket): string {
  const day = (n: number) => {
    if (!Number.isInteger(n)) throw new Error(`age bucket bounds are whole days, not ${n}`);
    return String(n);
  };
  if (fromDays === null && toDays === null) return 'days IS NULL';
  if (fromDays === null) return `days <= ${day(toDays!)}`;
  if (toDays === null) return `days >= ${day(fromDays)}`;
  return `days BETWEEN ${day(fromDays)} AND ${day(toDays)}`;
}

/**
 * Counts the rows of `source` (a SELECT with a `days` column, whole days or null) per bucket,
 * in one pass. For aging sections of any read model: the CARPOS one counts its pending
 * transactions the same way.
 */
export async function countByDays(db: Db, source: string, params: unknown[], buckets: readonly AgeBucket[]): Promise<AgeBucketCount[]> {
  const counts = buckets.map((bucket, i) => `count(*) FILTER (WHERE ${bucketCondition(bucket)})::int AS b${i}`);
  const { rows } = await db.query(`SELECT ${counts.join(', ')} FROM (${source}) AS aged`, params);
  return buckets.map((bucket, i) => ({ ...bucket, count: rows[0][`b${i}`] as number }));
}

export const TIME_TO_EXPIRY_BUCKETS: readonly AgeBucket[] = [
  // Only until the night's expiry job has run: the day after its expiration date an order expires.
  { label: 'expiration date passed', fromDays: null, toDays: -1 },
  { label: '0-30 days', fromDays: 0, toDays: 30 },
  { label: '31-90 days', fromDays: 31, toDays: 90 },
  { label: '91-180 days', fromDays: 91, toDays: 180 },
  { label: '181-365 days', fromDays: 181, toDays: 365 },
  { label: 'over 365 days', fromDays: 366, toDays: null },
  { label: 'no expiration date', fromDays: null, toDays: null },
];

export const DRAFT_AGE_BUCKETS: readonly AgeBucket[] = [
  { label: '0-7 days', fromDays: 0, toDays: 7 },
  { label: '8-30 days', fromDays: 8, toDays: 30 },
  { label: '31-90 days', fromDays: 31, toDays: 90 },
  { label: 'over 90 days', fromDays: 91, toDays: null },
];

/** Active orders by days from `today` to their expiration date (0: the last day in force). */
export function activeOrdersByTimeToExpiry(db: Db, court: string, today: string): Promise<AgeBucketCount[]> {
  return countByDays(
    db,
    `SELECT expiration_date - $2::date AS days FROM ${view('orders')} WHERE court_ori = $1 AND status = 'ACTIVE'`,
    [court, today],
    TIME_TO_EXPIRY_BUCKETS,
  );
}

/** Drafts by days since they were started. */
export function draftsByAge(db: Db, court: string, today: string): Promise<AgeBucketCount[]> {
  return countByDays(
    db,
    `SELECT $2::date - drafted_on AS days FROM ${view('orders')} WHERE court_ori = $1 AND status = 'DRAFT'`,
    [court, today],
    DRAFT_AGE_BUCKETS,
  );
}

/** Courts that had any record by the end of `month`: those with something to report. */
export async function courtsWithRecords(db: Db, month: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT DISTINCT court_ori FROM ${view('status_changes')} WHERE month <= $1 ORDER BY court_ori`, [month]);
  return rows.map((row) => row.court_ori as string);
}

export interface ExpiringOrder {
  orderId: string;
  expirationDate: string;
}

/**
 * Active orders whose expiration date is before `today`, oldest expiration first, a page at a
 * time after `after` (keyset paging: orders expired meanwhile may still show as active while
 * the projection catches up, and must not be offered again).
 */
export async function ordersPastExpiration(db: Db, today: string, after: ExpiringOrder | undefined, limit: number): Promise<ExpiringOrder[]> {
  const { rows } = await db.query(
    `SELECT order_id, expiration_date::text AS expiration_date FROM ${view('orders')}
      WHERE status = 'ACTIVE' AND expiration_date < $1::date
        AND ($2::date IS NULL OR (expiration_date, order_id) > ($2::date, $3::uuid))
      ORDER BY expiration_date, order_id LIMIT $4`,
    [today, after?.expirationDate ?? null, after?.orderId ?? null, limit],
  );
  return rows.map((row) => ({ orderId: row.order_id, expirationDate: row.expiration_date }));
}
