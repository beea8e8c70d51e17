import fc from 'fast-check';
import { COURT_TIME_ZONE, courtDate, courtMonth, isMonth, lastDayOf, previousMonth } from './court-calendar';

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

  it('gives every instant of an hour the day Intl gives it, though days are remembered by hour', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: COURT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
    const HOUR = 3_600_000;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1850, 0, 1) / HOUR, max: Date.UTC(2150, 0, 1) / HOUR }),
        fc.array(fc.integer({ min: 0, max: HOUR - 1 }), { minLength: 2, maxLength: 4 }),
        (hour, offsets) => {
          for (const offset of offsets) expect(courtDate(new Date(hour * HOUR + offset))).toBe(intl.format(hour * HOUR + offset));
        },
      ),
      { numRuns: 3000 },
    );
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
