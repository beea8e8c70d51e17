import type { Projection } from '../src/projection-engine/projection';
import { auditTrailProjection } from './audit-trail/audit-trail.projection';
import { carposTransactionsProjection } from './carpos-transactions/carpos-transactions.projection';
import { lockedOrdersProjection } from './locked-orders/locked-orders.projection';
import { orderDetailProjection } from './order-detail/order-detail.projection';
import { orderSearchProjection } from './order-search/order-search.projection';
import { quickAttachesProjection } from './quick-attaches/quick-attaches.projection';
import { reportsProjection } from './reports/reports.projection';

/** Every read model the projector runs and operations can rebuild (DESIGN.md §8). */
export const allProjections: readonly Projection[] = [
  orderSearchProjection,
  orderDetailProjection,
  auditTrailProjection,
  lockedOrdersProjection,
  quickAttachesProjection,
  carposTransactionsProjection,
  reportsProjection,
];

export function projectionNamed(name: string): Projection {
  const projection = allProjections.find((p) => p.name === name);
  if (!projection) throw new Error(`no projection named ${name}; known: ${allProjections.map((p) => p.name).join(', ')}`);
  return projection;
}
