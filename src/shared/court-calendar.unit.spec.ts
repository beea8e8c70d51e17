import { courtDate, courtMonth, isMonth, lastDayOf, previousMonth } from './court-calendar';

describe('the court calendar (Pacific time)', () => {
  it('takes the day in Los Angeles, not in UTC, on both sides of daylight saving', () => {
    // PDT is UTC−7: 06:59 UTC on 11 March 2026 is still 10 March in court.
    expect(courtDate('2026-03-11T06:59:59.999Z')).toBe('2026-03-10');
    expect(courtDate('2026-03-11T07:00:00.000Z')).toBe('2026-03-11');
    // PST is UTC−8 (before 8 March 2026 and after 1 November 2026).
    expect(courtDate('2026-03-01T07:59:59.999Z')).toBe('2026-02-28');
    expect(courtDate('2026-03-01T08:00:00.000Z')).toBe('2026-03-01');
    expect(courtDate(new Date('2026-12-01T07:59:00Z'))).toBe('2026-11-30');
  });

  it('takes the month in Los Angeles: New Year’s Eve evening belongs to December', () => {
    expect(courtMonth('2027-01-01T07:30:00Z')).toBe('2026-12');
    expect(courtMonth('2027-01-01T08:00:00Z')).toBe('2027-01');
  });

  it('walks months back across a year and knows their last day', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(lastDayOf('2026-02')).toBe('2026-02-28');
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(lastDayOf('2026-12')).toBe('2026-12-31');
  });

  it('accepts only YYYY-MM months', () => {
    expect(isMonth('2026-10')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-10', '2026-10-01', '']) expect(isMonth(bad)).toBe(false);
  });
});
