import { reportCsv } from './report-csv';

describe('reports as CSV', () => {
  it('writes one line per row with the court and period repeated, headers in snake_case', () => {
    const csv = reportCsv('orderCountByUser', {
      court: 'CA010015J',
      county: 'Alameda',
      month: '2026-10',
      rows: [
        { userId: 'clerk-1', organisation: 'CA010015J', drafted: 1, added: 2, cloned: 0, modified: 0, served: 0, cancelled: 0, sealed: 0, unsealed: 0, imagesAttached: 1, total: 4 },
      ],
    });
    expect(csv.trim().split('\n')).toEqual([
      'court,county,month,user_id,organisation,drafted,added,cloned,modified,served,cancelled,sealed,unsealed,images_attached,total',
      'CA010015J,Alameda,2026-10,clerk-1,CA010015J,1,2,0,0,0,0,0,0,1,4',
    ]);
  });

  it('keeps the header when there are no rows, leaves nulls empty, and defuses spreadsheet formulas', () => {
    expect(reportCsv('orderCountByUser', { court: 'CA010015J', county: null, month: '2026-10', rows: [] }).trim()).toBe(
      'court,county,month,user_id,organisation,drafted,added,cloned,modified,served,cancelled,sealed,unsealed,images_attached,total',
    );
    const aging = reportCsv('aging', {
      court: 'CA010015J',
      county: '=HYPERLINK("http://example.invalid")',
      asOfDate: '2026-10-15',
      sections: [{ name: 'draftsByAge', title: 'Drafts by age', buckets: [{ label: 'passed', fromDays: null, toDays: -1, count: 0 }] }],
    });
    // A negative number stays a number; text that a spreadsheet would evaluate is quoted with a leading '.
    expect(aging.trim().split('\n')[1]).toBe(`CA010015J,"'=HYPERLINK(""http://example.invalid"")",2026-10-15,draftsByAge,passed,,-1,0`);
  });
});
