import type { Projection } from '../../src/projection-engine/projection';
import { prepareAndWrite, rowsBefore, yielder } from '../../src/projection-engine/projection';
import { foldOrderEvent, ORDER_EVENT_TYPES, OrderFold, recordedOrderEvent } from '../../src/orders/order-history';
import { copyText, copyUpsert, CopyValue } from '../../src/postgres/copy-rows';

/** A row's fold as stored: JSON text. */
export interface StoredFold {
  state: string;
  meta: string;
}

export function parseFold(row: StoredFold): OrderFold {
  return { state: JSON.parse(row.state), meta: JSON.parse(row.meta) };
}

/**
 * One row per order: the running fold (state + meta). The query makes the OrderDetail from it
 * with toOrderDetail, the function time travel uses, so the two agree by construction; storing
 * the document as well would double what a rebuild writes. `revision` is the stream revision
 * applied, so a redelivered or stale event is recognised and changes nothing.
 *
 * The fold is stored as JSON text in `text` columns: it is only ever read whole, by this code,
 * and every event of an order rewrites it, so PostgreSQL's checking it as `json` on each write
 * bought nothing (taking it apart into `jsonb`, as version 1 did, cost more still). Folds are
 * written with copyUpsert, a third of what binding them as a JSON array cost the server.
 */
export const orderDetailProjection: Projection = {
  name: 'order_detail',
  version: 3,
  perStream: true,
  eventTypes: ORDER_EVENT_TYPES,
  tables: ['orders'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('orders')} (
      order_id text PRIMARY KEY,
      revision bigint NOT NULL,
      state    text NOT NULL,
      meta     text NOT NULL
    )`,
  handle: (ctx, event) => prepareAndWrite(orderDetailProjection, ctx, [event]),
  // Set-based (rebuilds apply millions of events): the folds of the batch's orders seen before
  // are taken from the batch before (still being written) or read, the events folded in
  // memory, and the changed folds written with one upsert.
  async prepareBatch(batch, { db, table, previous }) {
    const pause = yielder();
    const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
    const folds = await rowsBefore(events, (event) => event.orderId, previous, async (orderIds) => {
      const { rows } = await db.query<StoredFold & { order_id: string }>(
        `SELECT order_id, state, meta FROM ${table('orders')} WHERE order_id = ANY ($1::text[])`,
        [orderIds],
      );
      const parsed: [string, OrderFold][] = [];
      for (const row of rows) {
        await pause();
        parsed.push([row.order_id, parseFold(row)]);
      }
      return parsed;
    });
    const changed = new Map<string, OrderFold>();
    for (const event of events) {
      await pause();
      const previousFold = folds.get(event.orderId);
      if (previousFold && previousFold.meta.revision >= Number(event.revision)) continue;
      const fold = foldOrderEvent(previousFold, event);
      folds.set(event.orderId, fold);
      changed.set(event.orderId, fold);
    }
    const rows: CopyValue[][] = [];
    for (const [orderId, { state, meta }] of changed) {
      await pause();
      rows.push([orderId, meta.revision, JSON.stringify(state), JSON.stringify(meta)]);
    }
    const upserts = copyText(rows);
    return {
      rows: changed,
      write: (ctx) =>
        copyUpsert(
          ctx.db,
          ctx.table('orders'),
          ['order_id', 'revision', 'state', 'meta'],
          upserts,
          `ON CONFLICT (order_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, meta = EXCLUDED.meta
           WHERE t.revision < EXCLUDED.revision`,
        ),
    };
  },
};
