import { LRUCache } from 'lru-cache';

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

const HOUR_MS = 3_600_000;
// Pacific time has been a whole number of hours from UTC since 1883, so every instant of a UTC
// hour falls on the same court day: days are remembered by hour (a rebuild asks for millions).
const WHOLE_HOURS_SINCE = Date.UTC(1884, 0, 1);
const daysByHour = new LRUCache<number, string>({ max: 50_000 });

/** The court's calendar date (YYYY-MM-DD) at an instant. */
export function courtDate(instant: Date | string): string {
  const time = (typeof instant === 'string' ? new Date(instant) : instant).getTime();
  const hour = Math.floor(time / HOUR_MS);
  const remembered = time >= WHOLE_HOURS_SINCE ? daysByHour.get(hour) : undefined;
  if (remembered) return remembered;
  const parts = dayParts.formatToParts(time);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  const day = `${part('year')}-${part('month')}-${part('day')}`;
  if (time >= WHOLE_HOURS_SINCE) daysByHour.set(hour, day);
  return day;
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
