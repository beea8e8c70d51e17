import type { Pool } from 'pg';
import { viewName } from '../../src/projection-engine/projection';
import { lockedOrdersProjection } from './locked-orders.projection';

const orders = viewName(lockedOrdersProjection, 'orders');
const locks = viewName(lockedOrdersProjection, 'locks');

export interface LockedOrder {
  orderId: string;
  caseNumber: string | null;
  courtOri: string;
  sealed: boolean;
  lockedBy: string;
  lockedByOrganisation: string;
  lockedAt: string;
  expiresAt: string;
}

export interface LockedOrdersCriteria {
  /** The lock holder's organisation: the one whose ADMINISTRATOR may release the lock. */
  organisation?: string;
  /** Locks that expired by then are left out: they no longer bind. */
  now: Date;
}

/** Unexpired locks, oldest first. */
export async function lockedOrders(db: Pick<Pool, 'query'>, { organisation, now }: LockedOrdersCriteria): Promise<LockedOrder[]> {
  const { rows } = await db.query(
    `SELECT * FROM ${locks} JOIN ${orders} USING (order_id)
      WHERE expires_at > $1 AND ($2::text IS NULL OR locked_by_organisation = $2)
      ORDER BY locked_at, order_id`,
    [now, organisation ?? null],
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    caseNumber: row.case_number,
    courtOri: row.court_ori,
    sealed: row.sealed,
    lockedBy: row.locked_by,
    lockedByOrganisation: row.locked_by_organisation,
    lockedAt: row.locked_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  }));
}
