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
  perStream: true,
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
  handle(ctx, event) {
    return lockedOrdersProjection.handleBatch!(ctx, [event]);
  },
  // Set-based: read the batch's orders with their locks, apply the events in memory, write the
  // changed orders back (rebuilds apply millions of events).
  async handleBatch({ db, table }, batch) {
    const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
    if (events.length === 0) return;
    const orders = table('orders');
    const locks = table('locks');
    const { rows } = await db.query<LockedOrderRow>(
      `SELECT o.order_id, o.revision::int AS revision, o.case_number, o.court_ori, o.sealed,
              l.locked_by, l.locked_by_organisation, l.locked_at, l.expires_at
         FROM ${orders} o LEFT JOIN ${locks} l USING (order_id)
        WHERE o.order_id = ANY ($1::text[])`,
      [[...new Set(events.map((event) => event.orderId))]],
    );
    const current = new Map(rows.map((row) => [row.order_id, row]));
    const changed = new Set<string>();
    for (const event of events) {
      const before = current.get(event.orderId);
      // The revision applied guards every change against a redelivered or stale event.
      if (before && before.revision >= Number(event.revision)) continue;
      const row: LockedOrderRow = before
        ? { ...before, revision: Number(event.revision) }
        : { ...NO_LOCK, order_id: event.orderId, revision: Number(event.revision), case_number: null, court_ori: '', sealed: false };
      switch (event.type) {
        case 'OrderDrafted':
        case 'OrderAdded':
        case 'OrderCloned':
        case 'OrderModified':
          row.case_number = event.data.data.caseNumber ?? null;
          row.court_ori = event.data.data.court.ori;
          break;
        case 'OrderSealed':
        case 'OrderUnsealed':
          row.sealed = event.type === 'OrderSealed';
          break;
        case 'OrderLocked':
          Object.assign(row, {
            locked_by: event.data.lockedBy,
            locked_by_organisation: event.data.lockedByOrganisation,
            locked_at: event.data.lockedAt,
            expires_at: event.data.expiresAt,
          });
          break;
        case 'OrderUnlocked':
          Object.assign(row, NO_LOCK);
          break;
        default:
          continue;
      }
      // An order first seen through a lock event has no data yet: nothing to list it with.
      if (!before && row.court_ori === '') continue;
      current.set(event.orderId, row);
      changed.add(event.orderId);
    }
    if (changed.size === 0) return;
    const written = [...changed].map((orderId) => current.get(orderId)!);
    await db.query(
      `INSERT INTO ${orders} (order_id, revision, case_number, court_ori, sealed)
       SELECT order_id, revision, case_number, court_ori, sealed FROM jsonb_populate_recordset(NULL::${orders}, $1::jsonb)
       ON CONFLICT (order_id) DO UPDATE SET revision = EXCLUDED.revision, case_number = EXCLUDED.case_number,
         court_ori = EXCLUDED.court_ori, sealed = EXCLUDED.sealed`,
      [JSON.stringify(written)],
    );
    await db.query(`DELETE FROM ${locks} WHERE order_id = ANY ($1::text[])`, [[...changed]]);
    await db.query(
      `INSERT INTO ${locks} SELECT * FROM jsonb_populate_recordset(NULL::${locks}, $1::jsonb)`,
      [JSON.stringify(written.filter((row) => row.locked_by !== null))],
    );
  },
};

interface LockedOrderRow {
  order_id: string;
  revision: number;
  case_number: string | null;
  court_ori: string;
  sealed: boolean;
  locked_by: string | null;
  locked_by_organisation: string | null;
  locked_at: string | null;
  expires_at: string | null;
}

const NO_LOCK = { locked_by: null, locked_by_organisation: null, locked_at: null, expires_at: null };
