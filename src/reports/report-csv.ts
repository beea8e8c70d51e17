import { stringify } from 'csv-stringify/sync';
import { ACTIVITY_KINDS } from '../../projections/reports/reports.projection';
import { TYPE_KINDS, USER_KINDS } from '../../projections/reports/reports.query';
import type { ReportKey, ReportSet } from './report-snapshots';

/**
 * Reports as CSV files, one row per line of the report, each row repeating the court and period
 * so that files of several courts and months can be concatenated and still be read. Headers are
 * the GraphQL field names in snake_case.
 */

interface Table {
  columns: string[];
  records: object[];
}

const TABLES: { [K in ReportKey]: (report: ReportSet[K]) => Table } = {
  volumeSummary: (report) => ({ columns: ['court', 'county', 'month', ...ACTIVITY_KINDS], records: [report] }),
  ordersByType: ({ rows, ...heading }) => ({
    columns: ['court', 'county', 'month', 'orderType', ...TYPE_KINDS, 'activeAtMonthEnd'],
    records: rows.map((row) => ({ ...heading, ...row })),
  }),
  totalRecordCount: (report) => ({
    columns: ['court', 'county', 'month', 'asOfDate', 'draft', 'active', 'cancelled', 'expired', 'total'],
    records: [report],
  }),
  orderCountByUser: ({ rows, ...heading }) => ({
    columns: ['court', 'county', 'month', 'userId', 'organisation', ...USER_KINDS, 'total'],
    records: rows.map((row) => ({ ...heading, ...row })),
  }),
  aging: ({ sections, ...heading }) => ({
    columns: ['court', 'county', 'asOfDate', 'section', 'bucket', 'fromDays', 'toDays', 'count'],
    records: sections.flatMap(({ name, buckets }) =>
      buckets.map(({ label, fromDays, toDays, count }) => ({ ...heading, section: name, bucket: label, fromDays, toDays, count })),
    ),
  }),
};

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export function reportCsv<K extends ReportKey>(key: K, report: ReportSet[K]): string {
  const { columns, records } = TABLES[key](report);
  return stringify(records, {
    header: true,
    columns: columns.map((column) => ({ key: column, header: snakeCase(column) })),
    // A cell starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    escape_formulas: true,
  });
}
