import { Inject, Injectable } from '@nestjs/common';
import { reportsProjection } from '../../projections/reports/reports.projection';
import { can, Principal, toDomainError } from '../access/access-policy';
import { CLOCK, Clock } from '../app/clock';
import { EVENT_STORE, POSTGRES } from '../app/infrastructure.module';
import { EventStore } from '../event-store/event-store.port';
import { PostgresConnection } from '../postgres/postgres-connection';
import { waitForPosition } from '../projection-engine/projection-status';
import { courtDate, courtMonth } from '../shared/court-calendar';
import { NotFoundError, ReadModelBehindError, ValidationError } from '../shared/domain-error';
import { normaliseOri } from '../shared/ori';
import { agingReport, AgingReport } from './aging';
import { MONTHLY_REPORTS, MonthlyReportKey, ReportKey, ReportSet, ReportSnapshot, ReportSnapshots } from './report-snapshots';
import { REPORT_SNAPSHOTS } from './reports.tokens';

export interface ReportRequest {
  /** ORI; default the user's own organisation. */
  court?: string;
  /** YYYY-MM (checked for its form at the edge). */
  month?: string;
  /** The month's snapshot rather than the figures as they stand. */
  snapshot?: boolean;
}

const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

/** The reports behind GraphQL and the CSV downloads: every one asks the policy for the court first. */
@Injectable()
export class ReportService {
  constructor(
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REPORT_SNAPSHOTS) private readonly snapshotStore: ReportSnapshots,
  ) {}

  /** Read-your-writes for the reports read model (a mutation's position), as the order queries offer. */
  async waitFor(position: string | null | undefined): Promise<void> {
    if (!position) return;
    const reached = await waitForPosition(this.postgres.pool, this.store, [reportsProjection], BigInt(position), {
      timeoutMs: READ_YOUR_WRITES_TIMEOUT_MS,
    });
    if (!reached) throw new ReadModelBehindError(position, READ_YOUR_WRITES_TIMEOUT_MS);
  }

  /** A month's report as it stands (the current month: so far). */
  async monthly<K extends MonthlyReportKey>(principal: Principal, key: K, { court, month }: ReportRequest): Promise<ReportSet[K]> {
    const ori = this.courtFor(principal, court);
    return MONTHLY_REPORTS[key](this.postgres.pool, ori, this.pastOrCurrent(month));
  }

  /** The Aging Report as of today's court date. */
  async aging(principal: Principal, { court }: ReportRequest): Promise<AgingReport> {
    return agingReport(this.postgres.pool, this.courtFor(principal, court), courtDate(this.clock.now()));
  }

  async snapshots(principal: Principal, { court, month }: ReportRequest): Promise<ReportSnapshot[]> {
    return this.snapshotStore.list(this.courtFor(principal, court), month);
  }

  /** One report, for a download: from the month's snapshot, or as it stands (aging: today; the others: `month`). */
  async report<K extends ReportKey>(principal: Principal, key: K, request: ReportRequest): Promise<ReportSet[K]> {
    if (request.snapshot) {
      const [snapshot] = await this.snapshots(principal, { ...request, month: required(request.month) });
      if (!snapshot) throw new NotFoundError('report snapshot', `${request.court ?? principal.organisation} ${request.month}`);
      return snapshot.reports[key];
    }
    if (key === 'aging') {
      if (request.month !== undefined) {
        throw ValidationError.single('month', 'aging_is_as_of_today', 'the aging report is as of today; ask for a month’s snapshot (snapshot=true) instead');
      }
      return this.aging(principal, request) as Promise<ReportSet[K]>;
    }
    return this.monthly(principal, key as MonthlyReportKey, { ...request, month: required(request.month) }) as Promise<ReportSet[K]>;
  }

  /** The court asked for, if the policy lets the principal see its reports. */
  private courtFor(principal: Principal, court: string | null | undefined): string {
    const ori = normaliseOri(court ?? principal.organisation);
    const decision = can(principal, 'reports.view', { organisation: ori });
    if (!decision.allowed) throw toDomainError(decision, 'reports', ori);
    return ori;
  }

  /** A month that has begun: figures for a future month would be zeros that look like a report. */
  private pastOrCurrent(month: string | undefined): string {
    const current = courtMonth(this.clock.now());
    if (required(month) > current) throw ValidationError.single('month', 'not_in_future', `must not be after the current month ${current}`);
    return month!;
  }
}

function required(month: string | undefined): string {
  if (month === undefined) throw ValidationError.single('month', 'required', 'is required: a calendar month written YYYY-MM');
  return month;
}
