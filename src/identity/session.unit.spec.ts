import { at } from './identity.fixtures.spec';
import { Session, SESSION_ABSOLUTE_TIMEOUT_MS, SESSION_IDLE_TIMEOUT_MS, sessionStatus, touch } from './session';

const session = (lastSeenAt = at(0)): Session => ({
  sessionId: 'session-1',
  userId: 'clerk.one',
  organisation: 'CA019015J',
  roles: ['QUERY_UPDATE'],
  cletsCertified: false,
  createdAt: at(0),
  lastSeenAt,
});

describe('session timeouts', () => {
  it('are 30 minutes idle and 12 hours absolute', () => {
    expect(SESSION_IDLE_TIMEOUT_MS).toBe(30 * 60 * 1000);
    expect(SESSION_ABSOLUTE_TIMEOUT_MS).toBe(12 * 60 * 60 * 1000);
  });

  it.each([
    ['29:59 idle', session(), at(29, 59), 'active'],
    ['30:00 idle', session(), at(30), 'idle_expired'],
    ['11:59:59 since login, seen a minute ago', session(at(11 * 60 + 58, 59)), at(11 * 60 + 59, 59), 'active'],
    ['12:00:00 since login, seen a minute ago', session(at(11 * 60 + 59)), at(12 * 60), 'absolute_expired'],
    ['12 hours since login and idle as well', session(), at(12 * 60), 'absolute_expired'],
  ] as const)('%s → %s', (_, s, now, status) => {
    expect(sessionStatus(s, now)).toBe(status);
  });
});

describe('touch', () => {
  it('moves lastSeenAt to now, so the idle limit runs from the latest request', () => {
    const seen = touch(session(), at(20));
    expect(seen).toEqual({ ...session(), lastSeenAt: at(20) });
    expect(sessionStatus(seen!, at(49, 59))).toBe('active');
  });

  it('never moves lastSeenAt back (a request stamped by a slower clock)', () => {
    expect(touch(session(at(20)), at(19))).toEqual(session(at(20)));
  });

  it.each([
    ['idle', session(), at(30)],
    ['past its absolute limit', session(at(11 * 60 + 59)), at(12 * 60)],
  ])('does not revive a session that has expired (%s)', (_, s, now) => {
    expect(touch(s, now)).toBeNull();
  });
});
