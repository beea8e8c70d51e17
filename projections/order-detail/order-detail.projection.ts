import type { Projection } from '../../src/projection-engine/projection';
import { foldOrderEvent, ORDER_EVENT_TYPES, OrderFold, recordedOrderEvent, toOrderDetail } from '../../src/orders/order-history';

/**
 * One row per order: the running fold (state + meta, to apply the next event to) and the
 * OrderDetail document built from it, which is all the query reads. `meta.revision` is the
 * stream revision applied, so a redelivered or stale event is recognised and changes nothing.
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
      meta     jsonb NOT NULL,
      detail   jsonb NOT NULL
    )`,
  async handle({ db, table }, recorded) {
    const event = recordedOrderEvent(recorded);
    if (!event) return;
    const { rows } = await db.query<OrderFold>(`SELECT state, meta FROM ${table('orders')} WHERE order_id = $1`, [event.orderId]);
    const previous = rows[0];
    if (previous && previous.meta.revision >= Number(event.revision)) return;
    const { state, meta } = foldOrderEvent(previous, event);
    await db.query(
      `INSERT INTO ${table('orders')} (order_id, state, meta, detail) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, meta = EXCLUDED.meta, detail = EXCLUDED.detail`,
      [event.orderId, JSON.stringify(state), JSON.stringify(meta), JSON.stringify(toOrderDetail(event.orderId, state, meta))],
    );
  },
};
