import type { Pool } from 'pg';
import type { FieldChange } from '../../src/orders/order-data';
import type { OrderEventType } from '../../src/orders/order.events';
import { viewName } from '../../src/projection-engine/projection';
import { auditTrailProjection } from './audit-trail.projection';

const events = viewName(auditTrailProjection, 'events');

export interface AuditEntry {
  /** Global position in the event store. */
  position: bigint;
  eventId: string;
  stream: string;
  orderId: string;
  revision: number;
  type: OrderEventType;
  actor: { userId: string; organisation: string; role: string };
  commandId: string;
  correlationId: string;
  causationId: string;
  /** Business time, from the command. */
  occurredAt: string;
  /** When the event store recorded it. */
  recordedAt: string;
  /** OrderModified only: every changed field with its value before and after. */
  changes: FieldChange[] | null;
  data: Record<string, unknown>;
}

/** Every event of one order, oldest first; empty for an unknown order. */
export async function orderHistory(db: Pick<Pool, 'query'>, orderId: string): Promise<AuditEntry[]> {
  const { rows } = await db.query(`SELECT * FROM ${events} WHERE order_id = $1 ORDER BY revision`, [orderId]);
  return rows.map((row) => ({
    position: BigInt(row.position),
    eventId: row.event_id,
    stream: row.stream,
    orderId: row.order_id,
    revision: Number(row.revision),
    type: row.type,
    actor: { userId: row.actor_user_id, organisation: row.actor_organisation, role: row.actor_role },
    commandId: row.command_id,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    changes: row.type === 'OrderModified' ? row.data.changes : null,
    data: row.data,
  }));
}
