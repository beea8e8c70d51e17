import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { prepareAndWrite, Projection } from '../../src/projection-engine/projection';
import { ORDER_EVENT_TYPES, recordedOrderEvent } from '../../src/orders/order-history';
import { copyRows, copyText, CopyValue } from '../../src/postgres/copy-rows';

const COLUMNS = [
  'position', 'event_id', 'stream', 'order_id', 'revision', 'type', 'actor_user_id', 'actor_organisation', 'actor_role',
  'command_id', 'correlation_id', 'causation_id', 'occurred_at', 'recorded_at', 'data',
];

/** The audit rows of order events, in COPY text, beginning at the first event after `after`. */
function rowsAfter(events: readonly RecordedEvent[], after: bigint): string {
  const rows: CopyValue[][] = [];
  for (const recorded of events) {
    const event = recordedOrderEvent(recorded);
    if (!event || event.position <= after) continue;
    const { metadata } = event;
    rows.push([
      event.position, event.id, event.stream, event.orderId, event.revision, event.type, metadata.actorUserId, metadata.actorOrganisation,
      metadata.actorRole, metadata.commandId, metadata.correlationId, metadata.causationId, metadata.occurredAt,
      event.recordedAt.toISOString(), JSON.stringify(event.data),
    ]);
  }
  return copyText(rows);
}

/**
 * One row per order event, as auditors replay it (DESIGN §9): who, from which organisation in
 * which role, when, and for OrderModified the before/after of each field (in its data). Data is
 * stored upcast, in the current shape of its type; the event store keeps the original.
 *
 * Rows are only ever added, in position order, so the highest position stored tells what was
 * applied: an event at or below it is a replay and adds nothing. That lets a batch be loaded
 * with COPY, which has no ON CONFLICT. Data is `json`: auditors read it whole, and PostgreSQL
 * taking a million documents apart into jsonb was a third of a rebuild.
 */
export const auditTrailProjection: Projection = {
  name: 'audit_trail',
  version: 3,
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
      data               json NOT NULL
    )`,
  // Only the history query needs it; a rebuild inserts faster without it (the event store
  // already guarantees one event per order and revision).
  queryIndexes: ({ table }) => [`CREATE UNIQUE INDEX IF NOT EXISTS ${table('events')}_order ON ${table('events')} (order_id, revision)`],
  handle: (ctx, event) => prepareAndWrite(auditTrailProjection, ctx, [event]),
  async prepareBatch(events) {
    const all = rowsAfter(events, 0n);
    return {
      async write({ db, table }) {
        const { rows } = await db.query(`SELECT coalesce(max(position), 0) AS applied FROM ${table('events')}`);
        const applied = BigInt(rows[0].applied);
        await copyRows(db, table('events'), COLUMNS, applied < events[0].position ? all : rowsAfter(events, applied));
      },
    };
  },
};
