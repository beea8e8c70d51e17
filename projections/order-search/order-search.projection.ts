import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { DraftOrderData } from '../../src/orders/order-data';
import type { Projection, ProjectionContext, TableNames } from '../../src/projection-engine/projection';
import { recordedOrderEvent } from '../../src/orders/order-history';
import type { OrderEventType } from '../../src/orders/order.events';

/**
 * The statewide order search read model (DESIGN §5, §8): one row per order, and one row per
 * name a person on the order can be found by.
 *
 * Person rows repeat the order's filter and sort columns (status, sealed, court, type, the
 * restrained person's lower-cased name) so a search counts and pages its matches from a
 * persons index alone; joining the orders table for every match costs a lookup per match.
 * Every name also goes into a dictionary of distinct lower-cased names (`names`): a wildcard
 * term is matched by trigram index against those far fewer rows, and the persons are then
 * found by btree on the names it matched.
 */

export const ORDER_SEARCH_STATUSES = ['DRAFT', 'ACTIVE', 'CANCELLED', 'EXPIRED'] as const;
export type OrderSearchStatus = (typeof ORDER_SEARCH_STATUSES)[number];
export const PERSON_ROLES = ['RESTRAINED', 'PROTECTED'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** One order as the search shows it; `revision` is the last stream revision applied. */
export interface OrderRow {
  orderId: string;
  caseNumber: string | null;
  courtOri: string;
  county: string | null;
  orderType: string;
  status: OrderSearchStatus;
  sealed: boolean;
  issuedDate: string | null;
  expirationDate: string | null;
  restrainedLastName: string | null;
  restrainedFirstName: string | null;
  restrainedDateOfBirth: string | null;
  updatedAt: string;
  revision: bigint;
}

export interface PersonRow {
  role: PersonRole;
  /** ALIAS: one of the restrained person's aliases, split into last and first name. */
  kind: 'NAME' | 'ALIAS';
  lastName: string | null;
  firstName: string | null;
  dateOfBirth: string | null;
}

const TABLES = ['orders', 'persons', 'names'] as const;

/**
 * pg_trgm goes into `public` and its operator class is named with the schema, because every
 * test suite and bench runs with its own schema alone on the search_path: an unqualified
 * CREATE EXTENSION would put the extension in that schema and drop it with the schema. The
 * advisory lock keeps two generations created at once from racing on CREATE EXTENSION.
 */
function createTables({ table }: TableNames): string {
  const [orders, persons, names] = TABLES.map((name) => table(name));
  return `
SELECT pg_advisory_xact_lock(hashtext('extension:pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE ${orders} (
  order_id                  uuid PRIMARY KEY,
  case_number               text,
  court_ori                 text NOT NULL,
  county                    text,
  order_type                text NOT NULL,
  status                    text NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'CANCELLED', 'EXPIRED')),
  sealed                    boolean NOT NULL,
  issued_date               date,
  expiration_date           date,
  restrained_last_name      text,
  restrained_first_name     text,
  restrained_date_of_birth  date,
  updated_at                timestamptz NOT NULL,
  revision                  bigint NOT NULL,
  sort_last                 text COLLATE "C" GENERATED ALWAYS AS (lower(restrained_last_name)) STORED,
  sort_first                text COLLATE "C" GENERATED ALWAYS AS (lower(restrained_first_name)) STORED
);

CREATE TABLE ${persons} (
  order_id        uuid NOT NULL,
  role            text NOT NULL CHECK (role IN ('RESTRAINED', 'PROTECTED')),
  kind            text NOT NULL CHECK (kind IN ('NAME', 'ALIAS')),
  last_name       text,
  first_name      text,
  date_of_birth   date,
  last_key        text GENERATED ALWAYS AS (lower(last_name)) STORED,
  first_key       text GENERATED ALWAYS AS (lower(first_name)) STORED,
  -- copies of the order's columns, kept in step by every handler (see the file comment)
  status          text NOT NULL,
  sealed          boolean NOT NULL,
  court_ori       text NOT NULL,
  order_type      text NOT NULL,
  sort_last       text COLLATE "C",
  sort_first      text COLLATE "C"
);
-- The handlers replace an order's persons by order id.
CREATE INDEX ON ${persons} (order_id);

CREATE TABLE ${names} (name_key text PRIMARY KEY);
`;
}

/** The indexes searches need, built once a generation has caught up (Projection.createIndexes). */
function createIndexes({ table }: TableNames): string {
  const [orders, persons, names] = TABLES.map((name) => table(name));
  return `
CREATE INDEX IF NOT EXISTS ${orders}_case ON ${orders} (lower(case_number));
CREATE INDEX IF NOT EXISTS ${orders}_case_trgm ON ${orders} USING gin (lower(case_number) public.gin_trgm_ops);
-- Each search index is ordered by the result order after its key, so for one name a page is read
-- in order and stops after 25 orders, and counting needs no hash; the INCLUDEd columns let
-- every criterion and filter be checked in the index alone (index-only scans).
CREATE INDEX IF NOT EXISTS ${persons}_last ON ${persons} (last_key, sort_last, sort_first, order_id)
  INCLUDE (first_key, date_of_birth, role, status, sealed, court_ori, order_type);
CREATE INDEX IF NOT EXISTS ${persons}_first ON ${persons} (first_key, sort_last, sort_first, order_id)
  INCLUDE (last_key, date_of_birth, role, status, sealed, court_ori, order_type);
CREATE INDEX IF NOT EXISTS ${persons}_dob ON ${persons} (date_of_birth, sort_last, sort_first, order_id)
  INCLUDE (last_key, first_key, role, status, sealed, court_ori, order_type);
CREATE INDEX IF NOT EXISTS ${names}_trgm ON ${names} USING gin (name_key public.gin_trgm_ops);
`;
}


/** Builds the order row from an order's data; status and sealed come from the event's meaning. */
export function orderRow(
  orderId: string,
  data: DraftOrderData,
  status: OrderSearchStatus,
  sealed: boolean,
  revision: bigint,
  updatedAt: string,
): OrderRow {
  const restrained = data.restrainedPerson;
  return {
    orderId,
    caseNumber: data.caseNumber ?? null,
    courtOri: data.court.ori,
    county: data.court.county,
    orderType: data.orderType,
    status,
    sealed,
    issuedDate: data.issuedDate ?? null,
    expirationDate: data.expirationDate ?? null,
    restrainedLastName: restrained?.lastName ?? null,
    restrainedFirstName: restrained?.firstName ?? null,
    restrainedDateOfBirth: restrained?.dateOfBirth ?? null,
    updatedAt,
    revision,
  };
}

/**
 * An alias is written either as NCIC does, `LAST, FIRST MIDDLE`, or as spoken, `First Last`.
 * In the spoken form everything after the first word is the last name: compound surnames
 * (Garcia Lopez, De La Cruz, Van Der Berg) are common in California, written middle names in
 * aliases are not. A single word is taken as a last name, the field every search starts from.
 */
export function splitAlias(alias: string): { lastName: string; firstName: string | null } {
  const comma = alias.indexOf(',');
  if (comma >= 0) {
    const first = alias.slice(comma + 1).trim().split(/\s+/)[0];
    return { lastName: alias.slice(0, comma).trim(), firstName: first || null };
  }
  const words = alias.trim().split(/\s+/);
  return words.length === 1 ? { lastName: words[0], firstName: null } : { lastName: words.slice(1).join(' '), firstName: words[0] };
}

/** Every name the order can be found by; a draft's person without any name is not searchable. */
export function personRows(data: DraftOrderData): PersonRow[] {
  const restrained = data.restrainedPerson ?? {};
  const dateOfBirth = restrained.dateOfBirth ?? null;
  const rows: PersonRow[] = [
    { role: 'RESTRAINED', kind: 'NAME', lastName: restrained.lastName ?? null, firstName: restrained.firstName ?? null, dateOfBirth },
    ...(restrained.aliases ?? []).map((alias): PersonRow => ({ role: 'RESTRAINED', kind: 'ALIAS', ...splitAlias(alias), dateOfBirth })),
    ...(data.protectedPersons ?? []).map(
      (p): PersonRow => ({ role: 'PROTECTED', kind: 'NAME', lastName: p.lastName ?? null, firstName: p.firstName ?? null, dateOfBirth: p.dateOfBirth ?? null }),
    ),
  ];
  return rows.filter((row) => row.lastName !== null || row.firstName !== null);
}

type Db = ProjectionContext['db'];

/**
 * Writes orders with their persons and names, many at a time (the handler passes one, the
 * benchmark thousands): arrays bound as parameters and unnested, so a batch is four statements.
 * An order row is only overwritten by a later revision, which is what makes replays harmless.
 */
export async function writeOrders(db: Db, { table }: TableNames, entries: { order: OrderRow; data: DraftOrderData }[]): Promise<void> {
  const orders = entries.map((e) => e.order);
  const written = await db.query(
    `INSERT INTO ${table('orders')} AS o (order_id, case_number, court_ori, county, order_type, status, sealed, issued_date,
                                          expiration_date, restrained_last_name, restrained_first_name,
                                          restrained_date_of_birth, updated_at, revision)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[],
                            $8::date[], $9::date[], $10::text[], $11::text[], $12::date[], $13::timestamptz[], $14::bigint[])
     ON CONFLICT (order_id) DO UPDATE SET
       case_number = EXCLUDED.case_number, court_ori = EXCLUDED.court_ori, county = EXCLUDED.county,
       order_type = EXCLUDED.order_type, status = EXCLUDED.status, sealed = EXCLUDED.sealed,
       issued_date = EXCLUDED.issued_date, expiration_date = EXCLUDED.expiration_date,
       restrained_last_name = EXCLUDED.restrained_last_name, restrained_first_name = EXCLUDED.restrained_first_name,
       restrained_date_of_birth = EXCLUDED.restrained_date_of_birth, updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision
     WHERE o.revision < EXCLUDED.revision
     RETURNING order_id, xmax = 0 AS inserted`,
    [
      orders.map((o) => o.orderId), orders.map((o) => o.caseNumber), orders.map((o) => o.courtOri), orders.map((o) => o.county),
      orders.map((o) => o.orderType), orders.map((o) => o.status), orders.map((o) => o.sealed), orders.map((o) => o.issuedDate),
      orders.map((o) => o.expirationDate), orders.map((o) => o.restrainedLastName), orders.map((o) => o.restrainedFirstName),
      orders.map((o) => o.restrainedDateOfBirth), orders.map((o) => o.updatedAt), orders.map((o) => o.revision.toString()),
    ],
  );
  const fresh = new Set(written.rows.map((r) => r.order_id as string));
  const applied = entries.filter((e) => fresh.has(e.order.orderId));
  if (applied.length === 0) return;
  // Only orders that were there before have persons to replace (xmax = 0: the upsert inserted).
  const replaced = written.rows.filter((r) => !r.inserted).map((r) => r.order_id as string);
  if (replaced.length > 0) await db.query(`DELETE FROM ${table('persons')} WHERE order_id = ANY($1::uuid[])`, [replaced]);
  const persons = applied.flatMap(({ order, data }) => personRows(data).map((person) => ({ order, person })));
  const column = <T>(pick: (entry: (typeof persons)[number]) => T) => persons.map(pick);
  await db.query(
    `INSERT INTO ${table('persons')} (order_id, role, kind, last_name, first_name, date_of_birth,
                                      status, sealed, court_ori, order_type, sort_last, sort_first)
       SELECT p.order_id, p.role, p.kind, p.last_name, p.first_name, p.date_of_birth,
              p.status, p.sealed, p.court_ori, p.order_type, lower(p.sort_last), lower(p.sort_first)
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[],
                     $7::text[], $8::boolean[], $9::text[], $10::text[], $11::text[], $12::text[])
              AS p(order_id, role, kind, last_name, first_name, date_of_birth, status, sealed, court_ori, order_type, sort_last, sort_first)`,
    [
      column((e) => e.order.orderId), column((e) => e.person.role), column((e) => e.person.kind), column((e) => e.person.lastName),
      column((e) => e.person.firstName), column((e) => e.person.dateOfBirth), column((e) => e.order.status),
      column((e) => e.order.sealed), column((e) => e.order.courtOri), column((e) => e.order.orderType),
      column((e) => e.order.restrainedLastName), column((e) => e.order.restrainedFirstName),
    ],
  );
  // Names are never removed: a stale one only makes a wildcard look up a key nobody has.
  await db.query(
    `INSERT INTO ${table('names')} SELECT DISTINCT lower(n) FROM unnest($1::text[]) AS n WHERE n IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [persons.flatMap((e) => [e.person.lastName, e.person.firstName])],
  );
}

/** What a batch knows of one order while folding its events. */
interface PendingOrder {
  status: OrderSearchStatus;
  sealed: boolean;
  revision: bigint;
  updatedAt: string;
  /** The whole data when an event of this batch carried it: persons and names are rewritten. */
  data?: DraftOrderData;
  changed: boolean;
}

const DATA_STATUS: Partial<Record<OrderEventType, OrderSearchStatus>> = {
  OrderDrafted: 'DRAFT',
  OrderAdded: 'ACTIVE',
  OrderCloned: 'ACTIVE',
};
const FLAGS: Partial<Record<OrderEventType, { status?: OrderSearchStatus; sealed?: boolean }>> = {
  OrderCancelled: { status: 'CANCELLED' },
  OrderExpired: { status: 'EXPIRED' },
  OrderSealed: { sealed: true },
  OrderUnsealed: { sealed: false },
};

/**
 * Set-based: the batch's orders are read once, their events folded in memory, and the result
 * written with a few statements (rebuilds apply millions of events). Events at or below an
 * order's stored revision are replays and change nothing.
 */
async function handleBatch(ctx: ProjectionContext, batch: readonly RecordedEvent[]): Promise<void> {
  const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
  if (events.length === 0) return;
  // An order whose stream starts in this batch has no row to read (a replayed one does, but the
  // revision guard of writeOrders keeps it): in a rebuild that is most orders of a batch.
  const firstRevision = new Map<string, bigint>();
  for (const event of events) if (!firstRevision.has(event.orderId)) firstRevision.set(event.orderId, event.revision);
  const known = [...firstRevision].filter(([, revision]) => revision > 0n).map(([orderId]) => orderId);
  const { rows } =
    known.length === 0
      ? { rows: [] }
      : await ctx.db.query(`SELECT order_id, status, sealed, revision, updated_at FROM ${ctx.table('orders')} WHERE order_id = ANY ($1::uuid[])`, [known]);
  const pending = new Map<string, PendingOrder>(
    rows.map((row) => [
      row.order_id as string,
      { status: row.status, sealed: row.sealed, revision: BigInt(row.revision), updatedAt: (row.updated_at as Date).toISOString(), changed: false },
    ]),
  );
  for (const event of events) {
    const order = pending.get(event.orderId);
    if (order && order.revision >= event.revision) continue;
    const updatedAt = event.metadata.occurredAt ?? event.recordedAt.toISOString();
    if (event.type === 'OrderDrafted' || event.type === 'OrderAdded' || event.type === 'OrderCloned' || event.type === 'OrderModified') {
      // A modification keeps the status; an order added from a sealed draft stays sealed.
      const status = DATA_STATUS[event.type] ?? order?.status;
      if (status === undefined) continue;
      pending.set(event.orderId, { status, sealed: order?.sealed ?? false, revision: event.revision, updatedAt, data: event.data.data, changed: true });
    } else if (order && FLAGS[event.type]) {
      const flags = FLAGS[event.type]!;
      pending.set(event.orderId, { ...order, ...flags, revision: event.revision, updatedAt, changed: true });
    }
  }
  const changed = [...pending.entries()].filter(([, order]) => order.changed);
  const withData = changed.filter(([, order]) => order.data !== undefined);
  if (withData.length > 0) {
    await writeOrders(
      ctx.db,
      ctx,
      withData.map(([orderId, o]) => ({ order: orderRow(orderId, o.data!, o.status, o.sealed, o.revision, o.updatedAt), data: o.data! })),
    );
  }
  const flagsOnly = changed.filter(([, order]) => order.data === undefined);
  if (flagsOnly.length === 0) return;
  const params = [
    flagsOnly.map(([orderId]) => orderId),
    flagsOnly.map(([, o]) => o.status),
    flagsOnly.map(([, o]) => o.sealed),
    flagsOnly.map(([, o]) => o.revision.toString()),
    flagsOnly.map(([, o]) => o.updatedAt),
  ];
  const changes = `unnest($1::uuid[], $2::text[], $3::boolean[], $4::bigint[], $5::timestamptz[]) AS c(order_id, status, sealed, revision, updated_at)`;
  await ctx.db.query(
    `UPDATE ${ctx.table('orders')} o SET status = c.status, sealed = c.sealed, revision = c.revision, updated_at = c.updated_at
       FROM ${changes} WHERE o.order_id = c.order_id AND o.revision < c.revision`,
    params,
  );
  await ctx.db.query(
    `UPDATE ${ctx.table('persons')} p SET status = c.status, sealed = c.sealed FROM ${changes} WHERE p.order_id = c.order_id`,
    params,
  );
}

export const orderSearchProjection: Projection = {
  name: 'order_search',
  version: 1,
  eventTypes: ['OrderDrafted', 'OrderAdded', 'OrderCloned', 'OrderModified', 'OrderCancelled', 'OrderExpired', 'OrderSealed', 'OrderUnsealed'],
  tables: TABLES,
  createTables,
  createIndexes,
  handle: (ctx, event) => handleBatch(ctx, [event]),
  handleBatch,
};
