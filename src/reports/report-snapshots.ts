import type { Pool } from 'pg';
import { reportsProjection } from '../../projections/reports/reports.projection';
import {
  courtsWithRecords,
  orderCountByUser,
  OrderCountByUser,
  ordersByType,
  OrdersByType,
  totalRecordCount,
  TotalRecordCount,
  volumeSummary,
  VolumeSummary,
} from '../../projections/reports/reports.query';
import type { EventStore } from '../event-store/event-store.port';
import { appendOnlySql } from '../postgres/append-only';
import { runSchemaDdl } from '../postgres/schema-ddl';
import { waitForPosition } from '../projection-engine/projection-status';
import { courtDate, courtMonth, previousMonth } from '../shared/court-calendar';
import { agingReport, AgingReport } from './aging';

/** The reports of one court and month; aging is the court's state on the day the set was made. */
export interface ReportSet {
  volumeSummary: VolumeSummary;
  ordersByType: OrdersByType;
  totalRecordCount: TotalRecordCount;
  orderCountByUser: OrderCountByUser;
  aging: AgingReport;
}
export type ReportKey = keyof ReportSet;
export type MonthlyReportKey = Exclude<ReportKey, 'aging'>;

/** The reports of a month, by name (aging is of a day). */
export const MONTHLY_REPORTS: { [K in MonthlyReportKey]: (db: Pick<Pool, 'query'>, court: string, month: string) => Promise<ReportSet[K]> } = {
  volumeSummary,
  ordersByType,
  totalRecordCount,
  orderCountByUser,
};

export async function reportSet(db: Pick<Pool, 'query'>, court: string, month: string, today: string): Promise<ReportSet> {
  return {
    volumeSummary: await volumeSummary(db, court, month),
    ordersByType: await ordersByType(db, court, month),
    totalRecordCount: await totalRecordCount(db, court, month),
    orderCountByUser: await orderCountByUser(db, court, month),
    aging: await agingReport(db, court, today),
  };
}

/** What the courts were sent for a month: kept as it was, whatever is corrected in the registry later. */
export interface ReportSnapshot {
  court: string;
  month: string;
  takenAt: string;
  reports: ReportSet;
}

// One snapshot per court and month; append-only, so nobody rewrites what a court was sent.
const schemaSql = `
CREATE TABLE IF NOT EXISTS report_snapshots (
  court_ori text NOT NULL,
  month     text NOT NULL,
  taken_at  timestamptz NOT NULL,
  reports   jsonb NOT NULL,
  PRIMARY KEY (court_ori, month)
);
${appendOnlySql('report_snapshots')}
`;

export class ReportSnapshots {
  constructor(private readonly pool: Pool) {}

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, schemaSql);
  }

  /** False when the court's month was already taken (a second run, a second scheduler): the first one stands. */
  async record(snapshot: ReportSnapshot): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO report_snapshots (court_ori, month, taken_at, reports) VALUES ($1, $2, $3, $4)
       ON CONFLICT (court_ori, month) DO NOTHING`,
      [snapshot.court, snapshot.month, snapshot.takenAt, JSON.stringify(snapshot.reports)],
    );
    return rowCount === 1;
  }

  /** Newest month first; `month` narrows to that one. */
  async list(court: string, month?: string): Promise<ReportSnapshot[]> {
    const { rows } = await this.pool.query(
      `SELECT court_ori, month, taken_at, reports FROM report_snapshots
        WHERE court_ori = $1 AND ($2::text IS NULL OR month = $2) ORDER BY month DESC`,
      [court, month ?? null],
    );
    return rows.map((row) => ({ court: row.court_ori, month: row.month, takenAt: (row.taken_at as Date).toISOString(), reports: row.reports }));
  }
}

export interface SnapshotDependencies {
  pool: Pool;
  store: EventStore;
  snapshots: ReportSnapshots;
  /** How long to wait for the reports read model to include every event so far. */
  catchUpTimeoutMs?: number;
}

export interface SnapshotOutcome {
  month: string;
  /** Courts whose snapshot this run made, and courts that already had one. */
  created: string[];
  existing: string[];
}

/**
 * The monthly job's work: on the first of a month (court time), each court's reports for the
 * month before. Runs on a read model that includes every event recorded so far, so the last
 * minutes of the month and the night's expiries count; refuses (and is retried) while it lags.
 */
export async function snapshotReports(deps: SnapshotDependencies, now: Date): Promise<SnapshotOutcome> {
  const { pool, store, snapshots, catchUpTimeoutMs = 60_000 } = deps;
  const month = previousMonth(courtMonth(now));
  const head = await store.headPosition();
  if (!(await waitForPosition(pool, store, [reportsProjection], head, { timeoutMs: catchUpTimeoutMs }))) {
    throw new Error(`the reports read model has not reached position ${head} within ${catchUpTimeoutMs / 1000} s; no snapshot of ${month} taken`);
  }
  const outcome: SnapshotOutcome = { month, created: [], existing: [] };
  for (const court of await courtsWithRecords(pool, month)) {
    const reports = await reportSet(pool, court, month, courtDate(now));
    const made = await snapshots.record({ court, month, takenAt: now.toISOString(), reports });
    outcome[made ? 'created' : 'existing'].push(court);
  }
  return outcome;
}
