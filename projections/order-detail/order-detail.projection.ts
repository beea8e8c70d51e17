import type { Projection } from '../../src/projection-engine/projection';
import { foldOrderEvent, ORDER_EVENT_TYPES, OrderFold, recordedOrderEvent } from '../../src/orders/order-history';

/**
 * One row per order: the running fold (state + meta). The query makes the OrderDetail from it
 * with toOrderDetail, the function time travel uses, so the two agree by construction; storing
 * the document as well would double what a rebuild writes. `meta.revision` is the stream
 * revision applied, so a redelivered or stale event is recognised and changes nothing.
 */
export const orderDetailProjection: Projection = {
  name: 'order_detail',
  version: 1,
  eventTypes: ORDER_EVENT_TYPES,
  tables: ['orders'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('orders')} (
      order_id text PRIMARY KEY,
      state    jsonb NOT NULL,
      meta     jsonb NOT NULL
    )`,
  handle(ctx, event) {
    return orderDetailProjection.handleBatch!(ctx, [event]);
  },
  // Set-based: one read of the batch's orders, the fold in memory, one upsert (rebuilds apply
  // millions of events).
  async handleBatch({ db, table }, batch) {
    const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
    if (events.length === 0) return;
    const { rows } = await db.query<OrderFold & { order_id: string }>(
      `SELECT order_id, state, meta FROM ${table('orders')} WHERE order_id = ANY ($1::text[])`,
      [[...new Set(events.map((event) => event.orderId))]],
    );
    const folds = new Map<string, OrderFold>(rows.map((row) => [row.order_id, { state: row.state, meta: row.meta }]));
    const changed = new Set<string>();
    for (const event of events) {
      const previous = folds.get(event.orderId);
      if (previous && previous.meta.revision >= Number(event.revision)) continue;
      folds.set(event.orderId, foldOrderEvent(previous, event));
      changed.add(event.orderId);
    }
    if (changed.size === 0) return;
    const upserts = [...changed].map((orderId) => ({ order_id: orderId, ...folds.get(orderId)! }));
    await db.query(
      `INSERT INTO ${table('orders')} (order_id, state, meta)
       SELECT order_id, state, meta FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, state jsonb, meta jsonb)
       ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, meta = EXCLUDED.meta`,
      [JSON.stringify(upserts)],
    );
  },
};
