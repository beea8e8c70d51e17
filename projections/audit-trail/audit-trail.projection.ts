import type { Projection } from '../../src/projection-engine/projection';
import { ORDER_EVENT_TYPES, recordedOrderEvent } from '../../src/orders/order-history';

/**
 * One row per order event, as auditors replay it (DESIGN §9): who, from which organisation in
 * which role, when, and for OrderModified the before/after of each field (in its data). Keyed
 * by global position, so a redelivered event inserts nothing. Data is stored upcast, in the
 * current shape of its type; the event store keeps the original.
 */
export const auditTrailProjection: Projection = {
  name: 'audit_trail',
  version: 2,
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
      data               jsonb NOT NULL
    )`,
  // Only the history query needs it; a rebuild inserts faster without it (the event store
  // already guarantees one event per order and revision).
  createIndexes: ({ table }) => `CREATE UNIQUE INDEX IF NOT EXISTS ${table('events')}_order ON ${table('events')} (order_id, revision)`,
  handle(ctx, event) {
    return auditTrailProjection.handleBatch!(ctx, [event]);
  },
  // One insert per batch (rebuilds apply millions of events).
  async handleBatch({ db, table }, batch) {
    const rows = batch
      .map((recorded) => recordedOrderEvent(recorded))
      .filter((event) => event !== undefined)
      .map(({ metadata, ...event }) => ({
        position: event.position.toString(),
        event_id: event.id,
        stream: event.stream,
        order_id: event.orderId,
        revision: event.revision.toString(),
        type: event.type,
        actor_user_id: metadata.actorUserId,
        actor_organisation: metadata.actorOrganisation,
        actor_role: metadata.actorRole,
        command_id: metadata.commandId,
        correlation_id: metadata.correlationId,
        causation_id: metadata.causationId,
        occurred_at: metadata.occurredAt,
        recorded_at: event.recordedAt.toISOString(),
        data: event.data,
      }));
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO ${table('events')}
       SELECT * FROM jsonb_populate_recordset(NULL::${table('events')}, $1::jsonb)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  },
};
