import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { callerOf, HttpErrorFilter, SessionGuard } from '../images/http-session';
import { NotFoundError } from '../shared/domain-error';
import { reportCsv } from './report-csv';
import type { ReportKey } from './report-snapshots';
import { ReportFileQuery } from './report.graphql-types';
import { ReportService } from './report.service';

/** Download names of the reports. */
const FILES: Record<string, ReportKey> = {
  'volume-summary.csv': 'volumeSummary',
  'orders-by-type.csv': 'ordersByType',
  'total-record-count.csv': 'totalRecordCount',
  'order-count-by-user.csv': 'orderCountByUser',
  'aging.csv': 'aging',
};

/**
 * `GET /reports/<report>.csv?court=<ORI>&month=YYYY-MM[&snapshot=true]` with the same bearer
 * session as `/graphql`, through the same policy (docs/reports.md).
 */
@Controller('reports')
// Signed in first (the guard runs before the query is validated): without a session nothing,
// not even which reports exist, is answered.
@UseGuards(SessionGuard)
@UseFilters(HttpErrorFilter)
export class ReportController {
  constructor(@Inject(ReportService) private readonly reports: ReportService) {}

  @Get(':file')
  async download(@Param('file') file: string, @Query() query: ReportFileQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    const { principal } = callerOf(request);
    if (!Object.hasOwn(FILES, file)) throw new NotFoundError('report', file);
    const key = FILES[file];
    const { court, month, snapshot } = query;
    const report = await this.reports.report(principal, key, { court, month, snapshot: snapshot === 'true' });
    const period = 'month' in report ? report.month : report.asOfDate;
    // attachment() also sets the type from the file name: text/csv; send() adds charset=utf-8.
    response
      .attachment(`${file.replace(/\.csv$/, '')}-${report.court}-${period}${snapshot === 'true' ? '-snapshot' : ''}.csv`)
      .send(reportCsv(key, report));
  }
}
