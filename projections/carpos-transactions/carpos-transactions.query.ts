import type { Pool } from 'pg';
import type { CarposTransactionType } from '../../src/orders/order.events';
import { viewName } from '../../src/projection-engine/projection';
import { COURT_TIME_ZONE } from '../../src/shared/court-calendar';
import { AgeBucket, AgeBucketCount, countByDays } from '../reports/reports.query';
import { carposTransactionsProjection } from './carpos-transactions.projection';

const transactions = viewName(carposTransactionsProjection, 'transactions');
const orders = viewName(carposTransactionsProjection, 'orders');

type Db = Pick<Pool, 'query'>;

export type CarposTransactionStatus = 'pending' | 'accepted' | 'rejected' | 'void';

export interface CarposTransactionRow {
  tcn: string;
  orderId: string;
  /** Stream revision of the order event the transaction carries. */
  revision: number;
  type: CarposTransactionType;
  courtOri: string;
  createdAt: string;
  status: CarposTransactionStatus;
  fcn: string | null;
  code: string | null;
  message: string | null;
  inputEcho: string | null;
  answeredAt: string | null;
  caseNumber: string | null;
  sealed: boolean;
}

const SELECT = `SELECT t.*, o.case_number, o.sealed FROM ${transactions} t JOIN ${orders} o USING (order_id)`;

function toRow(row: Record<string, any>): CarposTransactionRow {
  return {
    tcn: row.tcn,
    orderId: row.order_id,
    revision: Number(row.revision),
    type: row.type,
    courtOri: row.court_ori,
    createdAt: row.created_at.toISOString(),
    status: row.status,
    fcn: row.fcn,
    code: row.code,
    message: row.message,
    inputEcho: row.input_echo,
    answeredAt: row.answered_at ? row.answered_at.toISOString() : null,
    caseNumber: row.case_number,
    sealed: row.sealed,
  };
}

/**
 * Each order's oldest unanswered transaction: the only one that may go to DOJ now, so an
 * order's transactions reach DOJ in order and a MODIFY never overtakes its ENTER's FCN.
 */
export async function sendableTransactions(db: Db, limit = 500): Promise<CarposTransactionRow[]> {
  const { rows } = await db.query(
    `${SELECT} WHERE (t.order_id, t.revision) IN (
       SELECT DISTINCT ON (order_id) order_id, revision FROM ${transactions} WHERE status = 'pending' ORDER BY order_id, revision)
     ORDER BY t.created_at LIMIT $1`,
    [limit],
  );
  return rows.map(toRow);
}

export async function carposTransaction(db: Db, tcn: string): Promise<CarposTransactionRow | undefined> {
  const { rows } = await db.query(`${SELECT} WHERE t.tcn = $1`, [tcn]);
  return rows[0] && toRow(rows[0]);
}

export interface CarposMessageCriteria {
  courtOris?: readonly string[];
  from?: Date;
  to?: Date;
  outcome?: 'accepted' | 'rejected';
  orderId?: string;
  limit?: number;
}

/** DOJ's answers, newest first: what the CARPOS Messages screen lists. */
export async function carposMessages(db: Db, criteria: CarposMessageCriteria): Promise<CarposTransactionRow[]> {
  const { rows } = await db.query(
    `${SELECT} WHERE t.status IN ('accepted', 'rejected')
        AND ($1::text[] IS NULL OR t.court_ori = ANY ($1::text[]))
        AND ($2::timestamptz IS NULL OR t.answered_at >= $2) AND ($3::timestamptz IS NULL OR t.answered_at < $3)
        AND ($4::text IS NULL OR t.status = $4) AND ($5::text IS NULL OR t.order_id = $5)
      ORDER BY t.answered_at DESC, t.tcn LIMIT $6`,
    [
      criteria.courtOris?.length ? criteria.courtOris : null,
      criteria.from ?? null,
      criteria.to ?? null,
      criteria.outcome ?? null,
      criteria.orderId ?? null,
      Math.min(criteria.limit ?? 100, 1000),
    ],
  );
  return rows.map(toRow);
}

/** Every transaction of one order, oldest first (operations, tests). */
export async function orderTransactions(db: Db, orderId: string): Promise<CarposTransactionRow[]> {
  const { rows } = await db.query(`${SELECT} WHERE t.order_id = $1 ORDER BY t.revision`, [orderId]);
  return rows.map(toRow);
}

/** Transactions DOJ has not answered yet. */
export async function pendingTransactionCount(db: Db): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${transactions} WHERE status = 'pending'`);
  return rows[0].n;
}

export const PENDING_CARPOS_BUCKETS: readonly AgeBucket[] = [
  { label: 'today', fromDays: 0, toDays: 0 },
  { label: '1-2 days', fromDays: 1, toDays: 2 },
  { label: '3-7 days', fromDays: 3, toDays: 7 },
  { label: 'over 7 days', fromDays: 8, toDays: null },
];

/** A court's transactions DOJ has not answered, by court days since the order event that caused them (the Aging Report). */
export function pendingTransactionsByAge(db: Db, court: string, today: string): Promise<AgeBucketCount[]> {
  return countByDays(
    db,
    `SELECT $2::date - (created_at AT TIME ZONE '${COURT_TIME_ZONE}')::date AS days FROM ${transactions} WHERE court_ori = $1 AND status = 'pending'`,
    [court, today],
    PENDING_CARPOS_BUCKETS,
  );
}
