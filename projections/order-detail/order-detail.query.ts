import type { Pool } from 'pg';
import { OrderDetail, toOrderDetail } from '../../src/orders/order-history';
import { viewName } from '../../src/projection-engine/projection';
import { orderDetailProjection, parseFold, StoredFold } from './order-detail.projection';

const orders = viewName(orderDetailProjection, 'orders');

/** The order as the read model last saw it; who may see it is the policy module's decision. */
export async function getOrderDetail(db: Pick<Pool, 'query'>, orderId: string): Promise<OrderDetail | undefined> {
  const { rows } = await db.query<StoredFold>(`SELECT state, meta FROM ${orders} WHERE order_id = $1`, [orderId]);
  if (!rows[0]) return undefined;
  // Made from the fold at read time by the one function time travel uses too.
  const { state, meta } = parseFold(rows[0]);
  return toOrderDetail(orderId, state, meta);
}
