import type { Pool, PoolClient } from 'pg';
import { isCalendarDate, ORDER_TYPES } from '../../src/orders/order-data';
import { viewName } from '../../src/projection-engine/projection';
import { FieldViolation, ValidationError } from '../../src/shared/domain-error';
import { ORDER_SEARCH_STATUSES, OrderRow, OrderSearchStatus, orderSearchProjection, PERSON_ROLES, PersonRole } from './order-search.projection';
import { parseTerm, SearchTerm, termCondition } from './order-search.terms';

/** The user guide's page size (p. 2-17). */
export const PAGE_SIZE = 25;

export interface OrderSearchCriteria {
  /** Wildcard terms (see order-search.terms.ts), matched against one and the same person. */
  lastName?: string;
  firstName?: string;
  /** YYYY-MM-DD, exact. */
  dateOfBirth?: string;
  /** Whose names and date of birth the person criteria match; aliases count as the restrained person. */
  personRole?: PersonRole | 'ANY';
  caseNumber?: string;
  courtOris?: readonly string[];
  orderTypes?: readonly string[];
  statuses?: readonly OrderSearchStatus[];
  includeDrafts?: boolean;
}

/** What the caller may see; the policy module decides it from the user's roles (DESIGN §4). */
export interface SearchViewer {
  includeSealed: boolean;
}

/** An order row as a search result lists it, the restrained person grouped. */
export type OrderSearchItem = Pick<
  OrderRow,
  'orderId' | 'caseNumber' | 'courtOri' | 'county' | 'orderType' | 'status' | 'sealed' | 'issuedDate' | 'expirationDate'
> & {
  restrainedPerson: { lastName: string | null; firstName: string | null; dateOfBirth: string | null };
};

export interface OrderSearchPage {
  /** Exact up to COUNT_CAP; COUNT_CAP with totalCountIsExact false when more orders match. */
  totalCount: number;
  totalCountIsExact: boolean;
  page: number;
  /** 0 when nothing matched. */
  pageCount: number;
  items: OrderSearchItem[];
}

const view = (table: string) => viewName(orderSearchProjection, table);

interface Parsed {
  lastName?: SearchTerm;
  firstName?: SearchTerm;
  caseNumber?: SearchTerm;
  dateOfBirth?: string;
  personRole: PersonRole | 'ANY';
  courtOris?: string[];
  orderTypes?: string[];
  statuses: OrderSearchStatus[];
}

const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;

/** Checks and normalises criteria; every broken rule is reported at once, each naming its field. */
function parseCriteria(criteria: OrderSearchCriteria, page: number): Parsed {
  const violations: FieldViolation[] = [];
  const fail = (field: string, rule: string, message: string) => violations.push({ field, rule, message });
  const parsed: Parsed = {
    lastName: parseTerm(criteria.lastName),
    firstName: parseTerm(criteria.firstName),
    caseNumber: parseTerm(criteria.caseNumber),
    dateOfBirth: criteria.dateOfBirth?.trim() || undefined,
    personRole: criteria.personRole ?? 'ANY',
    courtOris: nonEmpty(criteria.courtOris) ? criteria.courtOris.map((ori) => ori.trim().toUpperCase()) : undefined,
    orderTypes: nonEmpty(criteria.orderTypes) ? [...criteria.orderTypes] : undefined,
    // Drafts are work in progress of one court; a search shows them only when asked to (guide p. 2-16).
    statuses: nonEmpty(criteria.statuses)
      ? [...criteria.statuses]
      : ORDER_SEARCH_STATUSES.filter((status) => criteria.includeDrafts || status !== 'DRAFT'),
  };
  if (!Number.isInteger(page) || page < 1) fail('page', 'page_from_one', 'must be a whole number from 1');
  if (!parsed.lastName && !parsed.firstName && !parsed.caseNumber && !parsed.dateOfBirth) {
    fail('criteria', 'criterion_required', 'needs a last name, first name, date of birth or case number');
  }
  if (parsed.dateOfBirth !== undefined && !isCalendarDate(parsed.dateOfBirth)) {
    fail('dateOfBirth', 'date_format', 'must be a real calendar date written YYYY-MM-DD');
  }
  if (![...PERSON_ROLES, 'ANY'].includes(parsed.personRole)) fail('personRole', 'one_of', 'must be RESTRAINED, PROTECTED or ANY');
  for (const type of parsed.orderTypes ?? []) {
    if (!(ORDER_TYPES as readonly string[]).includes(type)) fail('orderTypes', 'one_of', `has unknown order type ${type}`);
  }
  for (const status of parsed.statuses) {
    if (!ORDER_SEARCH_STATUSES.includes(status)) fail('statuses', 'one_of', `has unknown status ${status}`);
  }
  if (parsed.statuses.includes('DRAFT') && !criteria.includeDrafts) {
    fail('statuses', 'drafts_not_included', 'may name DRAFT only when includeDrafts is true');
  }
  if (violations.length > 0) throw new ValidationError(violations);
  return parsed;
}

/**
 * The lower-cased names a wildcard term matches, from the dictionary of distinct names: far
 * fewer rows than persons, and knowing them lets a single match use the ordered index path.
 */
async function namesLike(db: Db, term: Extract<SearchTerm, { kind: 'like' }>): Promise<string[]> {
  const { sql, value } = termCondition('name_key', term, 1);
  const { rows } = await db.query(`SELECT name_key FROM ${view('names')} WHERE ${sql}`, [value]);
  return rows.map((row) => row.name_key as string);
}

type Db = Pick<Pool | PoolClient, 'query'>;

/**
 * Matching orders are counted exactly up to this many (40 pages). Beyond it a search says "more
 * than 1,000" (totalCountIsExact false) instead of counting: an exact count is linear in the
 * matches, and a search that finds more is narrowed, not read (decisions.md, "Search totals").
 */
export const COUNT_CAP = 1000;
/**
 * Person rows read to count up to COUNT_CAP orders. One order is often found by several: the
 * person, aliases, protected family members sharing the surname.
 */
const RAW_COUNT_LIMIT = 10 * COUNT_CAP;

/**
 * One page of the orders matching `criteria` that `viewer` may see, sorted by restrained
 * person's last name, first name, then order id, so paging is stable. Reads only the views.
 *
 * With person criteria the matches come from the persons indexes alone, whose entries carry
 * the order's filter and sort columns. Sealed orders the viewer may not see are filtered
 * before counting, so the total never betrays that they exist.
 */
export async function searchOrders(db: Db, criteria: OrderSearchCriteria, page: number, viewer: SearchViewer): Promise<OrderSearchPage> {
  const c = parseCriteria(criteria, page);
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const term = (column: string, searchTerm: SearchTerm) => {
    const { sql, value } = termCondition(column, searchTerm, params.length + 1);
    params.push(value);
    return sql;
  };
  // A wildcard that matched several names, kept aside: the page is read name by name (below).
  let fanOut: { column: string; keys: string[]; keysParameter: string; condition: string } | undefined;
  const nameMatch = async (column: string, searchTerm: SearchTerm) => {
    if (searchTerm.kind === 'exact') return term(column, searchTerm);
    const keys = await namesLike(db, searchTerm);
    if (keys.length === 1) return `${column} = ${bind(keys[0])}`;
    const keysParameter = bind(keys);
    const condition = `${column} = ANY(${keysParameter}::text[])`;
    fanOut ??= { column, keys, keysParameter, condition };
    return condition;
  };

  const hasPerson = c.lastName || c.firstName || c.dateOfBirth;
  const source = hasPerson ? 'p' : 'o';
  const from = `${view(hasPerson ? 'persons' : 'orders')} ${source}`;
  const where = [`${source}.status = ANY(${bind(c.statuses)}::text[])`];
  if (!viewer.includeSealed) where.push(`NOT ${source}.sealed`);
  if (c.courtOris) where.push(`${source}.court_ori = ANY(${bind(c.courtOris)}::text[])`);
  if (c.orderTypes) where.push(`${source}.order_type = ANY(${bind(c.orderTypes)}::text[])`);
  if (c.lastName) where.push(await nameMatch('p.last_key', c.lastName));
  if (c.firstName) where.push(await nameMatch('p.first_key', c.firstName));
  if (c.dateOfBirth) where.push(`p.date_of_birth = ${bind(c.dateOfBirth)}::date`);
  if (hasPerson && c.personRole !== 'ANY') where.push(`p.role = ${bind(c.personRole)}`);
  if (c.caseNumber) {
    const caseMatch = term('lower(o.case_number)', c.caseNumber);
    where.push(hasPerson ? `p.order_id IN (SELECT o.order_id FROM ${view('orders')} o WHERE ${caseMatch})` : caseMatch);
  }
  const matching = `FROM ${from} WHERE ${where.join(' AND ')}`;

  // Counting reads at most RAW_COUNT_LIMIT matches; only a term whose matches are mostly the
  // same orders found over and over needs the full count to tell whether it passes the cap.
  const counted = await db.query(
    `SELECT count(*)::int AS raw, count(DISTINCT order_id)::int AS orders
       FROM (SELECT ${source}.order_id ${matching} LIMIT ${RAW_COUNT_LIMIT + 1}) AS first_matches`,
    params,
  );
  const { raw, orders } = counted.rows[0] as { raw: number; orders: number };
  const fullCount = async () => (await db.query(`SELECT count(DISTINCT ${source}.order_id)::int AS orders ${matching}`, params)).rows[0].orders as number;
  const total = raw <= RAW_COUNT_LIMIT ? orders : orders >= COUNT_CAP ? undefined : await fullCount();
  const totalCountIsExact = total !== undefined && total <= COUNT_CAP;
  const totalCount = totalCountIsExact ? total : COUNT_CAP;

  // The page in result order. One name (or none) reads one index range in that order and stops
  // after the page. Several names: every matching order is in the first `upTo` orders of its
  // own name's range, so reading that much of each range and merging gives the page without
  // sorting every match, as long as that is fewer rows than the matches themselves.
  const offset = (page - 1) * PAGE_SIZE;
  const upTo = offset + PAGE_SIZE;
  const hits =
    fanOut && fanOut.keys.length * upTo < raw
      ? `SELECT DISTINCT hit.* FROM unnest(${fanOut.keysParameter}::text[]) AS name(key)
           CROSS JOIN LATERAL (
             SELECT DISTINCT p.sort_last, p.sort_first, p.order_id
               FROM ${from} WHERE ${[`${fanOut.column} = name.key`, ...where.filter((w) => w !== fanOut!.condition)].join(' AND ')}
              ORDER BY 1, 2, 3 LIMIT ${upTo}) AS hit`
      : `SELECT DISTINCT ${source}.sort_last, ${source}.sort_first, ${source}.order_id ${matching}`;
  const { rows } = await db.query(
    `SELECT o.order_id, o.case_number, o.court_ori, o.county, o.order_type, o.status, o.sealed,
            o.issued_date::text, o.expiration_date::text, o.restrained_last_name, o.restrained_first_name,
            o.restrained_date_of_birth::text
       FROM (${hits} ORDER BY 1, 2, 3 LIMIT ${PAGE_SIZE} OFFSET ${offset}) AS page
       JOIN ${view('orders')} o USING (order_id)
      ORDER BY page.sort_last, page.sort_first, page.order_id`,
    params,
  );
  return { totalCount, totalCountIsExact, page, pageCount: Math.ceil(totalCount / PAGE_SIZE), items: rows.map(toItem) };
}

function toItem(row: Record<string, unknown>): OrderSearchItem {
  return {
    orderId: row.order_id as string,
    caseNumber: row.case_number as string | null,
    courtOri: row.court_ori as string,
    county: row.county as string | null,
    orderType: row.order_type as string,
    status: row.status as OrderSearchStatus,
    sealed: row.sealed as boolean,
    issuedDate: row.issued_date as string | null,
    expirationDate: row.expiration_date as string | null,
    restrainedPerson: {
      lastName: row.restrained_last_name as string | null,
      firstName: row.restrained_first_name as string | null,
      dateOfBirth: row.restrained_date_of_birth as string | null,
    },
  };
}
