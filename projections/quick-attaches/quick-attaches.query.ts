import type { Pool } from 'pg';
import { viewName } from '../../src/projection-engine/projection';
import type { QuickAttachView } from '../../src/quick-attach/quick-attach.view';
import { ValidationError } from '../../src/shared/domain-error';
import { PAGE_SIZE } from '../order-search/order-search.query';
import { parseTerm, SearchTerm, termCondition } from '../order-search/order-search.terms';
import { QuickAttachRow, quickAttachesProjection, viewOfRow } from './quick-attaches.projection';

const items = viewName(quickAttachesProjection, 'items');
const sealedOrders = viewName(quickAttachesProjection, 'sealed_orders');

/** Names and case number take the order search's wildcard rules (DESIGN §5); none given lists them all. */
export interface QuickAttachCriteria {
  lastName?: string;
  firstName?: string;
  caseNumber?: string;
  /** Converted ones too; by default only those still pending. */
  includeConverted?: boolean;
}

/** Whose quick attaches the caller sees; the policy module decides it (canQuickAttach, searchViewer). */
export interface QuickAttachViewer {
  county: string;
  /** False: quick attaches converted into an order that is now sealed are left out before counting. */
  includeSealed: boolean;
}

export interface QuickAttachItem extends Omit<QuickAttachView, 'image'> {
  /** Null once redacted (redactQuickAttach in the policy). */
  image: QuickAttachView['image'] | null;
  /** Converted into an order that is now sealed. */
  orderSealed: boolean;
}

export interface QuickAttachPage {
  totalCount: number;
  page: number;
  pageCount: number;
  items: QuickAttachItem[];
}

/** One page of the viewer's county's quick attaches matching `criteria`, newest first, 25 a page. */
export async function searchQuickAttaches(db: Pick<Pool, 'query'>, criteria: QuickAttachCriteria, page: number, viewer: QuickAttachViewer): Promise<QuickAttachPage> {
  if (!Number.isInteger(page) || page < 1) throw ValidationError.single('page', 'page_from_one', 'must be a whole number from 1');
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const term = (column: string, searchTerm: SearchTerm | undefined) => {
    if (!searchTerm) return [];
    const { sql, value } = termCondition(column, searchTerm, params.length + 1);
    params.push(value);
    return [sql];
  };
  const where = [
    `lower(q.county) = lower(${bind(viewer.county.trim())})`,
    ...(criteria.includeConverted ? [] : ['q.converted_order_id IS NULL']),
    ...(viewer.includeSealed ? [] : ['s.sealed IS NOT TRUE']),
    ...term('lower(q.restrained_last_name)', parseTerm(criteria.lastName)),
    ...term('lower(q.restrained_first_name)', parseTerm(criteria.firstName)),
    ...term('lower(q.case_number)', parseTerm(criteria.caseNumber)),
  ];
  const { rows } = await db.query(
    `WITH hits AS (
       SELECT q.*, coalesce(s.sealed, false) AS order_sealed
         FROM ${items} q LEFT JOIN ${sealedOrders} s ON s.order_id = q.converted_order_id
        WHERE ${where.join(' AND ')})
     SELECT (SELECT count(*) FROM hits)::int AS total_count, h.*
       FROM (SELECT 1) AS always
       LEFT JOIN (SELECT * FROM hits ORDER BY added_at DESC, quick_attach_id LIMIT ${PAGE_SIZE} OFFSET ${bind((page - 1) * PAGE_SIZE)}) h ON true
      ORDER BY h.added_at DESC, h.quick_attach_id`,
    params,
  );
  // Every row carries the total; an empty page is one row without a quick attach, so the count still arrives.
  const totalCount = rows[0].total_count as number;
  return {
    totalCount,
    page,
    pageCount: Math.ceil(totalCount / PAGE_SIZE),
    items: rows
      .filter((row) => row.quick_attach_id !== null)
      .map((row) => ({ ...viewOfRow(row as unknown as QuickAttachRow), orderSealed: row.order_sealed as boolean })),
  };
}
