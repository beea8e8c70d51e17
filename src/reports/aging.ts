import type { Pool } from 'pg';
import { pendingTransactionsByAge } from '../../projections/carpos-transactions/carpos-transactions.query';
import { activeOrdersByTimeToExpiry, AgeBucketCount, courtCounty, draftsByAge } from '../../projections/reports/reports.query';

/**
 * The Aging Report: a court's open work by age, as of a court day. Each section counts one
 * kind of thing in age buckets (`countByDays` in projections/reports/reports.query.ts) and may
 * come from any read model.
 */

export interface AgingSectionSpec {
  /** Stable, for clients and the CSV `section` column. */
  name: string;
  title: string;
  count(db: Pick<Pool, 'query'>, court: string, today: string): Promise<AgeBucketCount[]>;
}

/** The sections, in report order (DESIGN §10). */
export const AGING_SECTIONS: readonly AgingSectionSpec[] = [
  { name: 'activeOrdersByTimeToExpiry', title: 'Active orders by time to expiry', count: activeOrdersByTimeToExpiry },
  { name: 'draftsByAge', title: 'Drafts by age', count: draftsByAge },
  { name: 'pendingCarposTransactionsByAge', title: 'CARPOS transactions awaiting DOJ’s answer, by age', count: pendingTransactionsByAge },
];

export interface AgingSection {
  name: string;
  title: string;
  buckets: AgeBucketCount[];
}

export interface AgingReport {
  court: string;
  county: string | null;
  /** The court day ages are counted to. */
  asOfDate: string;
  sections: AgingSection[];
}

export async function agingReport(db: Pick<Pool, 'query'>, court: string, today: string): Promise<AgingReport> {
  const sections: AgingSection[] = [];
  for (const { name, title, count } of AGING_SECTIONS) sections.push({ name, title, buckets: await count(db, court, today) });
  return { court, county: await courtCounty(db, court), asOfDate: today, sections };
}
