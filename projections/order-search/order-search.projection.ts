import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { DraftOrderData, FieldChange } from '../../src/orders/order-data';
import type { PreparedBatch, Projection, ProjectionContext, TableNames } from '../../src/projection-engine/projection';
import { prepareAndWrite } from '../../src/projection-engine/projection';
import { copyRows, copyText, CopyValue } from '../../src/postgres/copy-rows';
import { recordedOrderEvent, RecordedOrderEvent } from '../../src/orders/order-history';
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

/**
 * One order as the search shows it. `revision` and `updatedAt` are those of the last event that
 * changed the row: events that change nothing search keeps (most corrections) are not written.
 */
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
  -- the restrained person's names lower-cased, as the person rows repeat them
  sort_last                 text COLLATE "C",
  sort_first                text COLLATE "C",
  -- the order's person rows as [role, kind, lastName, firstName, dateOfBirth] lists (personsJson),
  -- which createIndexes makes the rows from; parsed by COPY while a rebuild catches up, when
  -- PostgreSQL has time to spare, not at indexing
  persons                   jsonb NOT NULL
);

CREATE TABLE ${persons} (
  order_id        uuid NOT NULL,
  role            text NOT NULL CHECK (role IN ('RESTRAINED', 'PROTECTED')),
  kind            text NOT NULL CHECK (kind IN ('NAME', 'ALIAS')),
  last_name       text,
  first_name      text,
  date_of_birth   date,
  -- Folded by the database's collation, as the search term is; compared and sorted byte-wise
  -- ("C"), which keeps equality as it was and builds their indexes a fifth faster.
  last_key        text COLLATE "C" GENERATED ALWAYS AS (lower(last_name)) STORED,
  first_key       text COLLATE "C" GENERATED ALWAYS AS (lower(first_name)) STORED,
  -- copies of the order's columns, kept in step by every handler (see the file comment)
  status          text NOT NULL,
  sealed          boolean NOT NULL,
  court_ori       text NOT NULL,
  order_type      text NOT NULL,
  sort_last       text COLLATE "C",
  sort_first      text COLLATE "C"
);
CREATE TABLE ${names} (name_key text PRIMARY KEY);
`;
}

/**
 * A generation catching up writes orders only (see prepareBatch); its person rows and names are
 * made here from the orders, in one pass, once per generation (indexGeneration), before any
 * handler writes person rows.
 */
function createIndexes({ table }: TableNames): string {
  const [orders, persons, names] = TABLES.map((name) => table(name));
  return `
-- Not compiled: the planner takes every JSON list for 100 rows, and compiling the statement for
-- the millions it then expects took longer than it saves.
SET LOCAL jit = off;
INSERT INTO ${persons} (${PERSON_COLUMNS.join(', ')})
SELECT o.order_id, p->>0, p->>1, p->>2, p->>3, (p->>4)::date, o.status, o.sealed, o.court_ori, o.order_type, o.sort_last, o.sort_first
  FROM ${orders} o CROSS JOIN LATERAL jsonb_array_elements(o.persons) AS p;
INSERT INTO ${names} SELECT DISTINCT k FROM ${persons} CROSS JOIN LATERAL (VALUES (last_key), (first_key)) AS n(k) WHERE k IS NOT NULL
ON CONFLICT DO NOTHING;
`;
}

/**
 * The indexes searches need, the orders' first: they are built while createIndexes fills the
 * persons and names, whose indexes wait for it; the larger ones first, so two builds at a time end together.
 */
function queryIndexes({ table }: TableNames): string[] {
  const [orders, persons, names] = TABLES.map((name) => table(name));
  return [
    `CREATE INDEX IF NOT EXISTS ${orders}_case_trgm ON ${orders} USING gin (lower(case_number) public.gin_trgm_ops)`,
    `CREATE INDEX IF NOT EXISTS ${orders}_case ON ${orders} (lower(case_number))`,
    // Each search index is ordered by the result order after its key, so for one name a page is
    // read in order and stops after 25 orders, and counting needs no hash; the INCLUDEd columns
    // let every criterion and filter be checked in the index alone (index-only scans).
    `CREATE INDEX IF NOT EXISTS ${persons}_last ON ${persons} (last_key, sort_last, sort_first, order_id)
       INCLUDE (first_key, date_of_birth, role, status, sealed, court_ori, order_type)`,
    // The result order itself: a wildcard that matches many names (GAR%, %EZ) is answered by
    // walking it and keeping the matches, which are dense enough that a page is found after a
    // few thousand entries, instead of collecting and sorting every match of every name.
    `CREATE INDEX IF NOT EXISTS ${persons}_sort ON ${persons} (sort_last, sort_first, order_id)
       INCLUDE (last_key, first_key, date_of_birth, role, status, sealed, court_ori, order_type)`,
    `CREATE INDEX IF NOT EXISTS ${persons}_first ON ${persons} (first_key, sort_last, sort_first, order_id)
       INCLUDE (last_key, date_of_birth, role, status, sealed, court_ori, order_type)`,
    `CREATE INDEX IF NOT EXISTS ${persons}_dob ON ${persons} (date_of_birth, sort_last, sort_first, order_id)
       INCLUDE (last_key, first_key, role, status, sealed, court_ori, order_type)`,
    // Not for queries: the handlers replace an order's persons by order id.
    `CREATE INDEX IF NOT EXISTS ${persons}_order ON ${persons} (order_id)`,
    `CREATE INDEX IF NOT EXISTS ${names}_trgm ON ${names} USING gin (name_key public.gin_trgm_ops)`,
  ];
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

/**
 * The order's person rows as its `persons` column keeps them, each a list [role, kind, lastName,
 * firstName, dateOfBirth]: half the bytes of objects, which a rebuild writes for every order.
 */
const personsJson = (data: DraftOrderData) =>
  JSON.stringify(personRows(data).map((person) => [person.role, person.kind, person.lastName, person.firstName, person.dateOfBirth]));

type Db = ProjectionContext['db'];

/**
 * The fields an order's person rows are made of: the names and dates of birth they are found
 * by, and the order columns every person row repeats (court, type, the restrained person's name
 * as sort key). A modification that touches none of them leaves the person rows as they are.
 */
const PERSON_FIELDS = [
  'restrainedPerson.lastName', 'restrainedPerson.firstName', 'restrainedPerson.aliases', 'restrainedPerson.dateOfBirth',
  'protectedPersons', 'court.ori', 'orderType',
];
/** The fields the order row keeps (DATA_COLUMNS); a modification of none of these or the above changes nothing here. */
const ORDER_ROW_FIELDS = [
  'caseNumber', 'court', 'orderType', 'issuedDate', 'expirationDate', 'restrainedPerson.lastName', 'restrainedPerson.firstName',
  'restrainedPerson.dateOfBirth',
];

/** Whether a change's field is one of `fields` or lies within one; the prefixes are made once, not per change. */
const touching = (fields: readonly string[]) => {
  const within = fields.map((field) => `${field}.`);
  return (changes: readonly FieldChange[]) =>
    changes.some(({ field }) => fields.includes(field) || within.some((prefix) => field.startsWith(prefix)));
};

export const changesPersons = touching(PERSON_FIELDS);

/** Whether a modification changes anything search keeps; most corrections (hearing date, judge, conditions) do not. */
export const changesSearch = touching([...new Set([...PERSON_FIELDS, ...ORDER_ROW_FIELDS])]);

interface PersonEntry {
  order: Pick<OrderRow, 'orderId' | 'status' | 'sealed' | 'courtOri' | 'orderType' | 'restrainedLastName' | 'restrainedFirstName'>;
  data: DraftOrderData;
}

const PERSON_COLUMNS = [
  'order_id', 'role', 'kind', 'last_name', 'first_name', 'date_of_birth', 'status', 'sealed', 'court_ori', 'order_type', 'sort_last', 'sort_first',
];

/** Person rows ready to load, and the names they bring to the dictionary. */
interface PersonRows {
  text: string;
  names: string[];
}

/**
 * The person rows of orders, in COPY text. The sort keys are lower-cased here: they only order
 * results, all of one order's rows get the same, and COPY cannot apply lower(). The search keys
 * (last_key, first_key) stay PostgreSQL's lower(), the function that folds the search term.
 */
function personsOf(entries: readonly PersonEntry[]): PersonRows {
  const rows: CopyValue[][] = [];
  const names = new Set<string>();
  for (const { order, data } of entries) {
    for (const person of personRows(data)) {
      rows.push([
        order.orderId, person.role, person.kind, person.lastName, person.firstName, person.dateOfBirth, order.status, order.sealed,
        order.courtOri, order.orderType, order.restrainedLastName?.toLowerCase() ?? null, order.restrainedFirstName?.toLowerCase() ?? null,
      ]);
      if (person.lastName !== null) names.add(person.lastName);
      if (person.firstName !== null) names.add(person.firstName);
    }
  }
  return { text: copyText(rows), names: [...names] };
}

/** Loads person rows of orders whose old rows, if any, are gone, and adds their names to the dictionary. */
async function writePersons(db: Db, { table }: TableNames, persons: PersonRows): Promise<void> {
  await copyRows(db, table('persons'), PERSON_COLUMNS, persons.text);
  // Names are never removed: a stale one only makes a wildcard look up a key nobody has. Most
  // names of a batch are the same few hundred, so they are told apart before PostgreSQL sees them.
  if (persons.names.length === 0) return;
  await db.query(`INSERT INTO ${table('names')} SELECT DISTINCT lower(n) FROM unnest($1::text[]) AS n ON CONFLICT DO NOTHING`, [persons.names]);
}

const ORDER_COLUMNS = [
  'order_id', 'case_number', 'court_ori', 'county', 'order_type', 'status', 'sealed', 'issued_date', 'expiration_date',
  'restrained_last_name', 'restrained_first_name', 'restrained_date_of_birth', 'updated_at', 'revision', 'sort_last', 'sort_first', 'persons',
];

/** Sort keys are lower-cased here, not by PostgreSQL: person rows repeat them, and COPY cannot apply lower(). */
const sortKey = (name: string | null) => name?.toLowerCase() ?? null;

/** New orders with their person rows (unless left to createIndexes), ready to load. */
interface NewOrders {
  orders: string;
  persons?: PersonRows;
}

function newOrders(entries: readonly { order: OrderRow; data: DraftOrderData }[], withPersons = true): NewOrders {
  const orders = entries.map(({ order: o, data }): CopyValue[] => [
    o.orderId, o.caseNumber, o.courtOri, o.county, o.orderType, o.status, o.sealed, o.issuedDate, o.expirationDate,
    o.restrainedLastName, o.restrainedFirstName, o.restrainedDateOfBirth, o.updatedAt, o.revision,
    sortKey(o.restrainedLastName), sortKey(o.restrainedFirstName), personsJson(data),
  ]);
  return { orders: copyText(orders), persons: withPersons ? personsOf(entries) : undefined };
}

/**
 * Writes new orders with their persons and names, many at a time (a batch's new orders, or the
 * benchmark's thousands), by COPY, in the caller's transaction. An order already there is left
 * as it is, and so are its persons: a replayed creation changes nothing. Replays are rare, so
 * the load is tried whole and only a duplicate key makes it look which orders are there.
 * `made` may be made ahead, from the entries; made without persons, it leaves them to createIndexes.
 */
export async function insertOrders(
  db: Db,
  names: TableNames,
  entries: readonly { order: OrderRow; data: DraftOrderData }[],
  made: NewOrders = newOrders(entries),
): Promise<void> {
  if (entries.length === 0) return;
  let load = made;
  await db.query('SAVEPOINT new_orders');
  try {
    await copyRows(db, names.table('orders'), ORDER_COLUMNS, load.orders);
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await db.query('ROLLBACK TO SAVEPOINT new_orders');
    const ids = entries.map((e) => e.order.orderId);
    const { rows } = await db.query(`SELECT order_id FROM ${names.table('orders')} WHERE order_id = ANY($1::uuid[])`, [ids]);
    const there = new Set(rows.map((row) => row.order_id as string));
    load = newOrders(entries.filter((e) => !there.has(e.order.orderId)), made.persons !== undefined);
    await copyRows(db, names.table('orders'), ORDER_COLUMNS, load.orders);
  }
  await db.query('RELEASE SAVEPOINT new_orders');
  if (load.persons) await writePersons(db, names, load.persons);
}

const UNIQUE_VIOLATION = '23505';

/** What one batch does to one order: the last data its events carried, and the flags they set. */
interface OrderChange {
  /**
   * The order's stream starts in the batch, so it has no row yet (streamsSeenBefore says why):
   * its first event here is its creation, as a modification search skips never is.
   */
  new: boolean;
  revision: bigint;
  updatedAt: string;
  /** The whole data after the batch's last event that changed what search keeps of it. */
  data?: DraftOrderData;
  /** The person rows must be made again from `data`. */
  personsChanged: boolean;
  status?: OrderSearchStatus;
  sealed?: boolean;
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

/** The batch's events folded per order, in the order of their first event. */
function changesOf(events: readonly RecordedOrderEvent[]): Map<string, OrderChange> {
  const changes = new Map<string, OrderChange>();
  for (const event of events) {
    // A row remembers the last event that changed it, revision and time.
    if (event.type === 'OrderModified' && !changesSearch(event.data.changes)) continue;
    const change = changes.get(event.orderId) ?? { new: event.revision === 0n, revision: event.revision, updatedAt: '', personsChanged: false };
    change.revision = event.revision;
    change.updatedAt = event.metadata.occurredAt ?? event.recordedAt.toISOString();
    if (event.type === 'OrderModified') {
      // A modification keeps the status and the seal.
      change.data = event.data.data;
      change.personsChanged ||= changesPersons(event.data.changes);
    } else if (event.type === 'OrderDrafted' || event.type === 'OrderAdded' || event.type === 'OrderCloned') {
      // An order added from a sealed draft stays sealed.
      change.status = DATA_STATUS[event.type];
      change.data = event.data.data;
      change.personsChanged = true;
    } else {
      Object.assign(change, FLAGS[event.type]);
    }
    changes.set(event.orderId, change);
  }
  return changes;
}

/** The order columns that come from its data, as the update below names them. */
const DATA_COLUMNS: [column: string, type: string, pick: (row: OrderRow, data: DraftOrderData) => unknown][] = [
  ['case_number', 'text', (r) => r.caseNumber],
  ['court_ori', 'text', (r) => r.courtOri],
  ['county', 'text', (r) => r.county],
  ['order_type', 'text', (r) => r.orderType],
  ['issued_date', 'date', (r) => r.issuedDate],
  ['expiration_date', 'date', (r) => r.expirationDate],
  ['restrained_last_name', 'text', (r) => r.restrainedLastName],
  ['restrained_first_name', 'text', (r) => r.restrainedFirstName],
  ['restrained_date_of_birth', 'date', (r) => r.restrainedDateOfBirth],
  ['sort_last', 'text', (r) => sortKey(r.restrainedLastName)],
  ['sort_first', 'text', (r) => sortKey(r.restrainedFirstName)],
  ['persons', 'jsonb', (_, data) => personsJson(data)],
];

type Flags = Pick<OrderRow, 'status' | 'sealed'>;

/**
 * Changes orders already in the table in place, without reading them first: a flag the batch did
 * not set keeps its stored value, and a stored revision at or above the batch's means a replay,
 * which changes nothing. Returns the status and sealed flag of every order changed.
 */
async function updateOrders(db: Db, { table }: TableNames, updates: readonly [string, OrderChange][], withData: boolean): Promise<Map<string, Flags>> {
  if (updates.length === 0) return new Map();
  const columns = withData ? DATA_COLUMNS : [];
  const rows = withData ? updates.map(([orderId, c]) => [orderRow(orderId, c.data!, 'ACTIVE', false, c.revision, c.updatedAt), c.data!] as const) : [];
  const { rows: written } = await db.query(
    `UPDATE ${table('orders')} o
        SET ${columns.map(([column]) => `${column} = c.${column}, `).join('')}
            status = coalesce(c.status, o.status), sealed = coalesce(c.sealed, o.sealed), revision = c.revision, updated_at = c.updated_at
       FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::bigint[], $5::timestamptz[]${columns.map(([, type], i) => `, $${i + 6}::${type}[]`).join('')})
            AS c(order_id, status, sealed, revision, updated_at${columns.map(([column]) => `, ${column}`).join('')})
      WHERE o.order_id = c.order_id AND o.revision < c.revision
     RETURNING o.order_id, o.status, o.sealed`,
    [
      updates.map(([orderId]) => orderId), updates.map(([, c]) => c.status ?? null), updates.map(([, c]) => c.sealed ?? null),
      updates.map(([, c]) => c.revision.toString()), updates.map(([, c]) => c.updatedAt),
      ...columns.map(([, , pick]) => rows.map(([row, data]) => pick(row, data))),
    ],
  );
  return new Map(written.map((row) => [row.order_id as string, { status: row.status, sealed: row.sealed }]));
}

/**
 * Set-based (rebuilds apply millions of events), and prepared ahead: the batch's events are
 * folded per order in memory, orders whose stream starts in the batch are inserted whole, and
 * the others are changed in place. Person rows are made again only when the names, or what
 * they repeat of the order, changed; otherwise they only follow the order's status and seal.
 *
 * A generation catching up (not yet indexed) writes the order rows only, each with its persons
 * as JSON, and createIndexes makes the person rows and names from them in one statement: a
 * rebuild then writes each person once, with the order's final status, instead of writing it
 * and rewriting it at every cancellation, expiry or seal (12 of a rebuild's 15 s of writes).
 */
async function prepareBatch(batch: readonly RecordedEvent[]): Promise<PreparedBatch> {
  const events = batch.map((recorded) => recordedOrderEvent(recorded)).filter((event) => event !== undefined);
  const created: { order: OrderRow; data: DraftOrderData }[] = [];
  const updated: [string, OrderChange][] = [];
  for (const [orderId, change] of changesOf(events)) {
    if (!change.new) updated.push([orderId, change]);
    else if (change.data && change.status) {
      created.push({ order: orderRow(orderId, change.data, change.status, change.sealed ?? false, change.revision, change.updatedAt), data: change.data });
    }
  }
  const withData = updated.filter(([, change]) => change.data);
  const flagsOnly = updated.filter(([, change]) => !change.data);
  // Only a status or seal the batch set can differ from what the person rows repeat.
  const flagged = new Set(updated.filter(([, change]) => change.status !== undefined || change.sealed !== undefined).map(([orderId]) => orderId));

  // Person rows are made only when written: a generation catching up leaves them to createIndexes.
  const createdRows = newOrders(created, false);

  const write = async (ctx: ProjectionContext) => {
    await insertOrders(ctx.db, ctx, created, ctx.indexed ? { ...createdRows, persons: personsOf(created) } : createdRows);
    const now = new Map([...(await updateOrders(ctx.db, ctx, withData, true)), ...(await updateOrders(ctx.db, ctx, flagsOnly, false))]);
    if (!ctx.indexed) return;
    const remade = withData.filter(([orderId, change]) => change.personsChanged && now.has(orderId));
    const remadeIds = new Set(remade.map(([orderId]) => orderId));
    if (remade.length > 0) {
      await ctx.db.query(`DELETE FROM ${ctx.table('persons')} WHERE order_id = ANY($1::uuid[])`, [[...remadeIds]]);
      await writePersons(
        ctx.db,
        ctx,
        personsOf(
          remade.map(([orderId, { data, revision, updatedAt }]) => {
            const { status, sealed } = now.get(orderId)!;
            return { order: orderRow(orderId, data!, status, sealed, revision, updatedAt), data: data! };
          }),
        ),
      );
    }
    const kept = [...now].filter(([orderId]) => flagged.has(orderId) && !remadeIds.has(orderId));
    if (kept.length === 0) return;
    await ctx.db.query(
      `UPDATE ${ctx.table('persons')} p SET status = c.status, sealed = c.sealed
         FROM unnest($1::uuid[], $2::text[], $3::boolean[]) AS c(order_id, status, sealed)
        WHERE p.order_id = c.order_id AND (p.status, p.sealed) IS DISTINCT FROM (c.status, c.sealed)`,
      [kept.map(([orderId]) => orderId), kept.map(([, o]) => o.status), kept.map(([, o]) => o.sealed)],
    );
  };
  return { write };
}

export const orderSearchProjection: Projection = {
  name: 'order_search',
  // 4: persons kept as jsonb, name keys ordered byte-wise ("C")
  version: 4,
  eventTypes: ['OrderDrafted', 'OrderAdded', 'OrderCloned', 'OrderModified', 'OrderCancelled', 'OrderExpired', 'OrderSealed', 'OrderUnsealed'],
  tables: TABLES,
  createTables,
  createIndexes,
  queryIndexes,
  filledAtIndexing: ['persons', 'names'],
  handle: (ctx, event) => prepareAndWrite(orderSearchProjection, ctx, [event]),
  prepareBatch,
};
