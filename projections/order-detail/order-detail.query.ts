import type { Pool } from 'pg';
import { OrderDetail, OrderFold, toOrderDetail } from '../../src/orders/order-history';
import { viewName } from '../../src/projection-engine/projection';
import { orderDetailProjection } from './order-detail.projection';

const orders = viewName(orderDetailProjection, 'orders');

/** The order as the read model last saw it; who may see it is the policy module's decision. */
export async function getOrderDetail(db: Pick<Pool, 'query'>, orderId: string): Promise<OrderDetail | undefined> {
  const { rows } = await db.query<OrderFold>(`SELECT state, meta FROM ${orders} WHERE order_id = $1`, [orderId]);
  // Made from the fold at read time by the one function time travel uses too.
  return rows[0] && toOrderDetail(orderId, rows[0].state, rows[0].meta);
}
