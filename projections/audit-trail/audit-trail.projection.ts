import type { Projection } from '../../src/projection-engine/projection';
import { ORDER_EVENT_TYPES, recordedOrderEvent } from '../../src/orders/order-history';

/**
 * One row per order event, as auditors replay it (DESIGN §9): who, from which organisation in
 * which role, when, and for OrderModified the before/after of each field. Keyed by global
 * position, so a redelivered event inserts nothing. Data is stored upcast, in the current shape
 * of its type; the event store keeps the original.
 */
export const auditTrailProjection: Projection = {
  name: 'audit_trail',
  version: 1,
  eventTypes: ORDER_EVENT_TYPES,
  tables: ['events'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('events')} (
      position           bigint PRIMARY KEY,
      event_id           text NOT NULL,
      stream             text NOT NULL,
      order_id           text NOT NULL,
      revision           bigint NOT NULL,
      type               text NOT NULL,
      actor_user_id      text NOT NULL,
      actor_organisation text NOT NULL,
      actor_role         text NOT NULL,
      command_id         text NOT NULL,
      correlation_id     text NOT NULL,
      causation_id       text NOT NULL,
      occurred_at        timestamptz NOT NULL,
      recorded_at        timestamptz NOT NULL,
      changes            jsonb,
      data               jsonb NOT NULL,
      UNIQUE (order_id, revision)
    )`,
  async handle({ db, table }, recorded) {
    const event = recordedOrderEvent(recorded);
    if (!event) return;
    const { metadata } = event;
    await db.query(
      `INSERT INTO ${table('events')} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT DO NOTHING`,
      [
        event.position.toString(),
        event.id,
        event.stream,
        event.orderId,
        event.revision.toString(),
        event.type,
        metadata.actorUserId,
        metadata.actorOrganisation,
        metadata.actorRole,
        metadata.commandId,
        metadata.correlationId,
        metadata.causationId,
        metadata.occurredAt,
        event.recordedAt,
        event.type === 'OrderModified' ? JSON.stringify(event.data.changes) : null,
        JSON.stringify(event.data),
      ],
    );
  },
};
