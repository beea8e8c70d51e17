/**
 * Court calendar days. California's courts keep Pacific time: an order "expires on" a date and a
 * report covers "October" as a clerk in Los Angeles reads the calendar, not as UTC does (at
 * 17:00 PDT it is already tomorrow in UTC). Every court day and month in the registry is taken
 * in this zone, daylight saving included.
 */
export const COURT_TIME_ZONE = 'America/Los_Angeles';

// One formatter for the process: building one per call costs more than a rebuild can afford.
const dayParts = new Intl.DateTimeFormat('en-US', { timeZone: COURT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The court's calendar date (YYYY-MM-DD) at an instant. */
export function courtDate(instant: Date | string): string {
  const parts = dayParts.formatToParts(typeof instant === 'string' ? new Date(instant) : instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The court's calendar month (YYYY-MM) at an instant. */
export function courtMonth(instant: Date | string): string {
  return courtDate(instant).slice(0, 7);
}

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** The last calendar day (YYYY-MM-DD) of `month`. */
export function lastDayOf(month: string): string {
  const [year, number] = month.split('-').map(Number);
  // Day 0 of the next month is the last day of this one.
  return `${month}-${String(new Date(Date.UTC(year, number, 0)).getUTCDate()).padStart(2, '0')}`;
}
