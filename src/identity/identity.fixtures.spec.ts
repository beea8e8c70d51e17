// Shared test data for the identity specs (a *.spec.ts name keeps it out of the build; jest only
// runs *.unit.spec.ts, so this file holds no tests of its own).
import { deciderSpec } from '../../test/support/given-when-then';
import { Actor } from './authority';
import { organisationDecider } from './organisation.decider';
import { accountIdFor } from './user-account-id';
import { UserCommand } from './user.commands';
import { userDecider } from './user.decider';
import { UserEvent, UserProfile } from './user.events';

export const COURT_ORI = 'CA019015J';
export const OTHER_COURT_ORI = 'CA037015J';
export const OPERATOR_ORI = 'CAREGOP00';
export const NOW = '2025-03-01T10:00:00.000Z';
export const ACCOUNT_ID = accountIdFor('clerk.one');
export const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
export const NEW_HASH = '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw';

/** NOW plus the given minutes and seconds, as an ISO instant. */
export const at = (minutes: number, seconds = 0) => new Date(Date.parse(NOW) + (minutes * 60 + seconds) * 1000).toISOString();

const actor = (userId: string, organisation: string, ...roles: string[]): Actor => ({ userId, organisation, roles });
export const actors = {
  /** The user of ACCOUNT_ID. */
  clerk: actor('clerk.one', COURT_ORI, 'QUERY_UPDATE'),
  admin: actor('admin.one', COURT_ORI, 'ADMINISTRATOR'),
  otherCourtAdmin: actor('admin.two', OTHER_COURT_ORI, 'ADMINISTRATOR'),
  sysadmin: actor('sysadmin.one', OPERATOR_ORI, 'SYSTEM_ADMINISTRATOR'),
  operatorAdmin: actor('opadmin.one', OPERATOR_ORI, 'ADMINISTRATOR'),
  operatorSysadminAdmin: actor('opadmin.two', OPERATOR_ORI, 'ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR'),
};

export const clerkProfile = (overrides: Partial<UserProfile> = {}): UserProfile => ({
  accountId: ACCOUNT_ID,
  userId: 'clerk.one',
  displayName: 'Clerk One',
  organisation: COURT_ORI,
  organisationKind: 'SUPERIOR_COURT',
  roles: ['QUERY_UPDATE'],
  cletsCertified: false,
  passwordHash: HASH,
  ...overrides,
});

type Command<T extends UserCommand['type']> = Extract<UserCommand, { type: T }>;
type Defaults = 'type' | 'accountId' | 'now' | 'actor';

/** A user command with ACCOUNT_ID, NOW and (for administrative commands) the court's ADMINISTRATOR. */
export function command<T extends UserCommand['type']>(
  type: T,
  extra: Omit<Command<T>, Defaults> & Partial<Pick<Command<T> & { actor?: Actor }, 'accountId' | 'now' | 'actor'>>,
): Command<T> {
  const administered = !['RecordLoginSucceeded', 'RecordLoginFailed', 'RecordLogout'].includes(type);
  return { type, accountId: ACCOUNT_ID, now: NOW, ...(administered ? { actor: actors.admin } : {}), ...extra } as Command<T>;
}

export const ev = {
  created: (overrides: Partial<UserProfile> = {}): UserEvent => ({ type: 'UserCreated', data: clerkProfile(overrides) }),
  failed: (when: string, reason: 'bad_password' | 'disabled' | 'locked' = 'bad_password'): UserEvent => ({
    type: 'UserLoginFailed',
    data: { reason, at: when },
  }),
  lockedOut: (when: string, failedAttempts = 5): UserEvent => ({ type: 'UserLockedOut', data: { at: when, failedAttempts } }),
  loggedIn: (when: string): UserEvent => ({ type: 'UserLoggedIn', data: { sessionId: 'session-0', termsVersion: '2025-01', at: when } }),
  disabled: (): UserEvent => ({ type: 'UserDisabled', data: {} }),
  unlocked: (): UserEvent => ({ type: 'UserUnlocked', data: {} }),
};

export const { given: givenUser } = deciderSpec(userDecider);
export const { given: givenOrganisation } = deciderSpec(organisationDecider);

/** Expects a ValidationError carrying exactly these [field, rule] violations. */
export const invalid = (...pairs: Array<[string, string]>) => ({
  violations: pairs.map(([field, rule]) => expect.objectContaining({ field, rule })),
});
