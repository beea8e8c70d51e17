import type { Projection } from '../../src/projection-engine/projection';
import { recordedOrderEvent } from '../../src/orders/order-history';
import type { OrderEventType } from '../../src/orders/order.events';

/**
 * Edit locks, for administrators who find and release them (DESIGN §4). `orders` keeps what a
 * lock row is listed with (case number, court, sealed, so the policy can hide sealed orders)
 * and the stream revision applied, which guards every write here against redelivered events;
 * `locks` holds one row per locked order, removed on unlock. An expired lock stays until the
 * order is locked or unlocked again: as in the order's state, expiry is a matter of the
 * reader's clock, so the query filters it out.
 */
export const lockedOrdersProjection: Projection = {
  name: 'locked_orders',
  version: 1,
  eventTypes: [
    'OrderDrafted', 'OrderAdded', 'OrderCloned', 'OrderModified', 'OrderSealed', 'OrderUnsealed', 'OrderLocked', 'OrderUnlocked',
  ] satisfies OrderEventType[],
  tables: ['orders', 'locks'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('orders')} (
      order_id    text PRIMARY KEY,
      revision    bigint NOT NULL,
      case_number text,
      court_ori   text NOT NULL,
      sealed      boolean NOT NULL DEFAULT false
    );
    CREATE TABLE ${table('locks')} (
      order_id               text PRIMARY KEY,
      locked_by              text NOT NULL,
      locked_by_organisation text NOT NULL,
      locked_at              timestamptz NOT NULL,
      expires_at             timestamptz NOT NULL
    );
    CREATE INDEX ON ${table('locks')} (locked_by_organisation, locked_at);
    CREATE INDEX ON ${table('locks')} (locked_at);`,
  async handle({ db, table }, recorded) {
    const event = recordedOrderEvent(recorded);
    if (!event) return;
    const orders = table('orders');
    const locks = table('locks');
    const { orderId } = event;
    const revision = event.revision.toString();
    // Every event but the ones carrying data claims its revision first; a row already past it means a replay.
    const claim = async (sealed: boolean | null = null) =>
      (
        await db.query(`UPDATE ${orders} SET revision = $2, sealed = coalesce($3, sealed) WHERE order_id = $1 AND revision < $2`, [
          orderId,
          revision,
          sealed,
        ])
      ).rowCount === 1;
    switch (event.type) {
      case 'OrderDrafted':
      case 'OrderAdded':
      case 'OrderCloned':
      case 'OrderModified': {
        const { caseNumber, court } = event.data.data;
        await db.query(
          `INSERT INTO ${orders} (order_id, revision, case_number, court_ori) VALUES ($1, $2, $3, $4)
           ON CONFLICT (order_id) DO UPDATE SET revision = EXCLUDED.revision, case_number = EXCLUDED.case_number, court_ori = EXCLUDED.court_ori
           WHERE ${orders}.revision < EXCLUDED.revision`,
          [orderId, revision, caseNumber ?? null, court.ori],
        );
        return;
      }
      case 'OrderSealed':
      case 'OrderUnsealed':
        await claim(event.type === 'OrderSealed');
        return;
      case 'OrderLocked': {
        if (!(await claim())) return;
        const { lockedBy, lockedByOrganisation, lockedAt, expiresAt } = event.data;
        await db.query(
          `INSERT INTO ${locks} VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (order_id) DO UPDATE SET locked_by = EXCLUDED.locked_by, locked_by_organisation = EXCLUDED.locked_by_organisation,
             locked_at = EXCLUDED.locked_at, expires_at = EXCLUDED.expires_at`,
          [orderId, lockedBy, lockedByOrganisation, lockedAt, expiresAt],
        );
        return;
      }
      case 'OrderUnlocked':
        if (await claim()) await db.query(`DELETE FROM ${locks} WHERE order_id = $1`, [orderId]);
        return;
    }
  },
};
