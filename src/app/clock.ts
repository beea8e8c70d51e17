/**
 * The time the api stamps on commands and judges sessions by. Injected rather than read from
 * `new Date()` so that tests can move it (a session idle for 30 minutes) without waiting.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
