import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { recordedOrderEvent } from '../../src/orders/order-history';
import type { OrderEventType } from '../../src/orders/order.events';
import type { Projection, ProjectionContext } from '../../src/projection-engine/projection';
import { QUICK_ATTACH_EVENT_TYPES } from '../../src/quick-attach/quick-attach.events';
import { foldQuickAttachEvent, QuickAttachView, recordedQuickAttachEvent } from '../../src/quick-attach/quick-attach.view';

/**
 * Quick attaches (DESIGN §6, §8): one row per quick attach, exactly the QuickAttachView its
 * events fold to, keyed by id and guarded by the stream revision applied. `sealed_orders` keeps
 * the sealed flag of every order that was ever sealed, so a quick attach converted into an
 * order that is now sealed follows the order's rules in the search (a user without a sealed role
 * never finds it, not even in the count). It holds the flag only: the order's court and data
 * stay with the order.
 */
export const quickAttachesProjection: Projection = {
  name: 'quick_attaches',
  version: 1,
  eventTypes: [...QUICK_ATTACH_EVENT_TYPES, ...(['OrderSealed', 'OrderUnsealed'] satisfies OrderEventType[])],
  tables: ['items', 'sealed_orders'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('items')} (
      quick_attach_id           text PRIMARY KEY,
      revision                  bigint NOT NULL,
      status                    text NOT NULL,
      county                    text NOT NULL,
      court_ori                 text NOT NULL,
      case_number               text,
      restrained_last_name      text,
      restrained_first_name     text,
      notes                     text,
      image                     jsonb NOT NULL,
      added_at                  timestamptz NOT NULL,
      added_by                  text NOT NULL,
      added_by_organisation     text NOT NULL,
      converted_order_id        text,
      converted_into            text,
      converted_at              timestamptz,
      converted_by              text,
      converted_by_organisation text
    );
    CREATE TABLE ${table('sealed_orders')} (
      order_id text PRIMARY KEY,
      sealed   boolean NOT NULL,
      revision bigint NOT NULL
    );`,
  // Searches run within one county; names and case numbers are matched lower-cased (order-search.terms.ts).
  queryIndexes: ({ table }) => [
    `CREATE INDEX IF NOT EXISTS ${table('items')}_by_county ON ${table('items')} (lower(county), added_at)`,
    `CREATE INDEX IF NOT EXISTS ${table('items')}_by_name ON ${table('items')} (lower(county), lower(restrained_last_name))`,
    `CREATE INDEX IF NOT EXISTS ${table('items')}_by_case ON ${table('items')} (lower(county), lower(case_number))`,
    `CREATE INDEX IF NOT EXISTS ${table('items')}_by_order ON ${table('items')} (converted_order_id)`,
  ],
  async handle(ctx, event) {
    if (recordedQuickAttachEvent(event)) await applyQuickAttachEvent(ctx, event);
    const order = recordedOrderEvent(event);
    if (order?.type === 'OrderSealed' || order?.type === 'OrderUnsealed') {
      await ctx.db.query(
        `INSERT INTO ${ctx.table('sealed_orders')} (order_id, sealed, revision) VALUES ($1, $2, $3)
         ON CONFLICT (order_id) DO UPDATE SET sealed = EXCLUDED.sealed, revision = EXCLUDED.revision
          WHERE ${ctx.table('sealed_orders')}.revision < EXCLUDED.revision`,
        [order.orderId, order.type === 'OrderSealed', Number(order.revision)],
      );
    }
  },
};

async function applyQuickAttachEvent({ db, table }: ProjectionContext, event: RecordedEvent): Promise<void> {
  const items = table('items');
  const { rows } = await db.query<QuickAttachRow>(`SELECT * FROM ${items} WHERE quick_attach_id = $1`, [recordedQuickAttachEvent(event)!.quickAttachId]);
  const previous = rows[0] && viewOfRow(rows[0]);
  // The revision applied guards against a redelivered or stale event.
  if (previous && previous.revision >= Number(event.revision)) return;
  const row = rowOfView(foldQuickAttachEvent(previous, event));
  const columns = Object.keys(row);
  await db.query(
    `INSERT INTO ${items} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (quick_attach_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    Object.values(row),
  );
}

/** A row of the items table, as the view `quick_attaches_items` answers it. */
export interface QuickAttachRow {
  quick_attach_id: string;
  revision: string | number;
  status: QuickAttachView['status'];
  county: string;
  court_ori: string;
  case_number: string | null;
  restrained_last_name: string | null;
  restrained_first_name: string | null;
  notes: string | null;
  image: QuickAttachView['image'];
  added_at: Date | string;
  added_by: string;
  added_by_organisation: string;
  converted_order_id: string | null;
  converted_into: 'DRAFT' | 'ACTIVE' | null;
  converted_at: Date | string | null;
  converted_by: string | null;
  converted_by_organisation: string | null;
}

const iso = (at: Date | string) => new Date(at).toISOString();

export function viewOfRow(row: QuickAttachRow): QuickAttachView {
  return {
    quickAttachId: row.quick_attach_id,
    revision: Number(row.revision),
    status: row.status,
    court: { county: row.county, ori: row.court_ori },
    caseNumber: row.case_number,
    restrainedPerson: { lastName: row.restrained_last_name, firstName: row.restrained_first_name },
    notes: row.notes,
    image: row.image,
    added: { at: iso(row.added_at), userId: row.added_by, organisation: row.added_by_organisation },
    conversion: row.converted_order_id
      ? {
          orderId: row.converted_order_id,
          into: row.converted_into!,
          at: iso(row.converted_at!),
          userId: row.converted_by!,
          organisation: row.converted_by_organisation!,
        }
      : null,
  };
}

function rowOfView(view: QuickAttachView): QuickAttachRow {
  const { conversion } = view;
  return {
    quick_attach_id: view.quickAttachId,
    revision: view.revision,
    status: view.status,
    county: view.court.county,
    court_ori: view.court.ori,
    case_number: view.caseNumber,
    restrained_last_name: view.restrainedPerson.lastName,
    restrained_first_name: view.restrainedPerson.firstName,
    notes: view.notes,
    image: view.image,
    added_at: view.added.at,
    added_by: view.added.userId,
    added_by_organisation: view.added.organisation,
    converted_order_id: conversion?.orderId ?? null,
    converted_into: conversion?.into ?? null,
    converted_at: conversion?.at ?? null,
    converted_by: conversion?.userId ?? null,
    converted_by_organisation: conversion?.organisation ?? null,
  };
}
