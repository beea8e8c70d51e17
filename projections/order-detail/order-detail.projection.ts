import type { Projection } from '../../src/projection-engine/projection';
import { prepareAndWrite, rowsBefore } from '../../src/projection-engine/projection';
import { foldOrderEvent, ORDER_EVENT_TYPES, OrderFold, recordedOrderEvent } from '../../src/orders/order-history';

/**
 * One row per order: the running fold (state + meta). The query makes the OrderDetail from it
 * with toOrderDetail, the function time travel uses, so the two agree by construction; storing
 * the document as well would double what a rebuild writes. `revision` is the stream revision
 * applied, so a redelivered or stale event is recognised and changes nothing.
 *
 * The fold is stored as `json`, not `jsonb`: it is only ever read whole, and every event of an
 * order rewrites it, so PostgreSQL's taking it apart into jsonb on each write (and putting it
 * together again on each read) bought nothing and cost a quarter of a rebuild's writing.
 */
export const orderDetailProjection: Projection = {
  name: 'order_detail',
  version: 2,
  eventTypes: ORDER_EVENT_TYPES,
  tables: ['orders'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('orders')} (
      order_id text PRIMARY KEY,
      revision bigint NOT NULL,
      state    json NOT NULL,
      meta     json NOT NULL
    )`,
  handle: (ctx, event) => prepareAndWrite(orderDetailProjection, ctx, [event]),
  // Set-based (rebuilds apply millions of events): the folds of the batch's orders seen before
  // are taken from the batch before (still being written) or read, the events folded in
  // memory, and the changed folds written with one statement.
  async prepareBatch(batch, { db, table, previous }) {
    const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
    const folds = await rowsBefore(events, (event) => event.orderId, previous, async (orderIds) => {
      const { rows } = await db.query<OrderFold & { order_id: string }>(
        `SELECT order_id, state, meta FROM ${table('orders')} WHERE order_id = ANY ($1::text[])`,
        [orderIds],
      );
      return rows.map((row): [string, OrderFold] => [row.order_id, { state: row.state, meta: row.meta }]);
    });
    const changed = new Map<string, OrderFold>();
    for (const event of events) {
      const previousFold = folds.get(event.orderId);
      if (previousFold && previousFold.meta.revision >= Number(event.revision)) continue;
      const fold = foldOrderEvent(previousFold, event);
      folds.set(event.orderId, fold);
      changed.set(event.orderId, fold);
    }
    const upserts = JSON.stringify([...changed].map(([orderId, { state, meta }]) => ({ order_id: orderId, revision: meta.revision, state, meta })));
    return {
      rows: changed,
      async write(ctx) {
        if (changed.size === 0) return;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('orders')} AS o (order_id, revision, state, meta)
           SELECT order_id, revision, state, meta FROM json_to_recordset($1::json) AS r(order_id text, revision bigint, state json, meta json)
           ON CONFLICT (order_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, meta = EXCLUDED.meta
           WHERE o.revision < EXCLUDED.revision`,
          [upserts],
        );
      },
    };
  },
};
