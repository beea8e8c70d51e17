import type { Role } from '../access/access-policy';

/**
 * A login session (DESIGN §4, CJIS 5.5.5): it ends after 30 minutes without a request or
 * 12 hours after login, whichever comes first. Pure: the caller supplies `now`, and also
 * checks on each request that the user is still enabled and not locked out.
 */
export const SESSION_IDLE_TIMEOUT_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;

export interface Session {
  sessionId: string;
  /** Login name. */
  userId: string;
  /** ORI of the user's organisation. */
  organisation: string;
  roles: readonly Role[];
  cletsCertified: boolean;
  /** ISO instants. */
  createdAt: string;
  lastSeenAt: string;
}

export type SessionStatus = 'active' | 'idle_expired' | 'absolute_expired';

/** Expired at the limit itself: 30:00 idle is expired, 29:59.999 is not. Absolute wins when both apply. */
export function sessionStatus(session: Session, now: string): SessionStatus {
  const at = Date.parse(now);
  if (at - Date.parse(session.createdAt) >= SESSION_ABSOLUTE_TIMEOUT_MS) return 'absolute_expired';
  if (at - Date.parse(session.lastSeenAt) >= SESSION_IDLE_TIMEOUT_MS) return 'idle_expired';
  return 'active';
}

/** The session seen at `now`, or null when it has expired: an expired session is never revived. */
export function touch(session: Session, now: string): Session | null {
  if (sessionStatus(session, now) !== 'active') return null;
  return Date.parse(now) > Date.parse(session.lastSeenAt) ? { ...session, lastSeenAt: now } : session;
}
