import type { Pool } from 'pg';
import type { OrderDetail } from '../../src/orders/order-history';
import { viewName } from '../../src/projection-engine/projection';
import { orderDetailProjection } from './order-detail.projection';

const orders = viewName(orderDetailProjection, 'orders');

/** The order as the read model last saw it; who may see it is the policy module's decision. */
export async function getOrderDetail(db: Pick<Pool, 'query'>, orderId: string): Promise<OrderDetail | undefined> {
  const { rows } = await db.query<{ detail: OrderDetail }>(`SELECT detail FROM ${orders} WHERE order_id = $1`, [orderId]);
  return rows[0]?.detail;
}
