import { fold } from '../../test/support/given-when-then';
import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../shared/domain-error';
import {
  ACCOUNT_ID,
  actors,
  at,
  clerkProfile,
  command,
  COURT_ORI,
  ev,
  givenUser as given,
  HASH,
  invalid,
  NEW_HASH,
  OPERATOR_ORI,
} from './identity.fixtures.spec';
import { accountIdFor } from './user-account-id';
import { CreateUser, loginRefusal } from './user.commands';
import { userDecider, userStream } from './user.decider';
import { UserEvent } from './user.events';

const createClerk = (extra: Partial<CreateUser> = {}) =>
  command('CreateUser', {
    userId: 'clerk.one',
    displayName: 'Clerk One',
    organisation: { ori: COURT_ORI, kind: 'SUPERIOR_COURT' },
    roles: ['QUERY_UPDATE'],
    cletsCertified: false,
    passwordHash: HASH,
    ...extra,
  });
const createOperatorUser = (extra: Partial<CreateUser> = {}) =>
  createClerk({ organisation: { ori: OPERATOR_ORI, kind: 'REGISTRY_OPERATOR' }, roles: ['SYSTEM_ADMINISTRATOR'], ...extra });
const failedLogin = (now: string, reason: 'bad_password' | 'disabled' | 'locked' = 'bad_password') =>
  command('RecordLoginFailed', { reason, now });
const login = (extra: { acceptTerms?: boolean; now?: string } = {}) =>
  command('RecordLoginSucceeded', { sessionId: 'session-1', acceptTerms: true, termsVersion: '2025-01', ...extra });
const badPasswords = (...minutes: number[]) => minutes.map((m) => ev.failed(at(m)));
const lockOut = (now: string, failedAttempts = 5): UserEvent[] => [ev.failed(now), ev.lockedOut(now, failedAttempts)];

describe('user streams', () => {
  it('names the stream user-<uuid>, the uuid derived from the case-insensitive login name', () => {
    expect(userStream(ACCOUNT_ID)).toBe(`user-${ACCOUNT_ID}`);
    expect(ACCOUNT_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(accountIdFor(' Clerk.One ')).toBe(ACCOUNT_ID);
    expect(accountIdFor('clerk.two')).not.toBe(ACCOUNT_ID);
  });
});

describe('CreateUser', () => {
  it('lets an ADMINISTRATOR create a user of their own organisation, normalising login name and roles', () => {
    given([])
      .when(createClerk({ userId: ' Clerk.One ', roles: ['QUERY_UPDATE_SEALED', 'QUERY_ONLY', 'QUERY_UPDATE_SEALED'], cletsCertified: true }))
      .then([ev.created({ roles: ['QUERY_ONLY', 'QUERY_UPDATE_SEALED'], cletsCertified: true })]);
  });

  it('lets a SYSTEM_ADMINISTRATOR appoint an organisation’s first ADMINISTRATOR', () => {
    given([])
      .when(createClerk({ actor: actors.sysadmin, roles: ['ADMINISTRATOR'], organisation: { ori: 'ca019015j', kind: 'SUPERIOR_COURT' } }))
      .then([ev.created({ roles: ['ADMINISTRATOR'] })]);
  });

  it('lets a SYSTEM_ADMINISTRATOR create a system administrator of the registry operator', () => {
    given([])
      .when(createOperatorUser({ actor: actors.sysadmin }))
      .then([ev.created({ organisation: OPERATOR_ORI, organisationKind: 'REGISTRY_OPERATOR', roles: ['SYSTEM_ADMINISTRATOR'] })]);
  });

  it('refuses an ADMINISTRATOR of another organisation', () => {
    given([])
      .when(createClerk({ actor: actors.otherCourtAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('refuses a user without an administrative role, even of the same organisation', () => {
    given([]).when(createClerk({ actor: actors.clerk })).thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('leaves users other than administrators to the organisation’s own ADMINISTRATOR', () => {
    given([])
      .when(createClerk({ actor: actors.sysadmin }))
      .thenThrows(ForbiddenError, { rule: 'user.create.system_administrator_appoints_administrators_only' });
  });

  it('refuses SYSTEM_ADMINISTRATOR granted by an ADMINISTRATOR who is not a system administrator', () => {
    given([])
      .when(createOperatorUser({ actor: actors.operatorAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.roles.system_administrator_required' });
  });

  it('refuses SYSTEM_ADMINISTRATOR outside the registry operator', () => {
    given([])
      .when(createClerk({ actor: actors.sysadmin, roles: ['ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR'] }))
      .thenThrows(ValidationError, invalid(['roles', 'system_administrator_registry_operator_only']));
  });

  it('answers not found for an organisation that does not exist', () => {
    given([])
      .when(createClerk({ organisation: { ori: COURT_ORI, kind: null } }))
      .thenThrows(NotFoundError, { what: 'organisation', id: COURT_ORI });
  });

  it('refuses a user that already exists', () => {
    given([ev.created()]).when(createClerk()).thenThrows(InvalidStateError, { rule: 'user.already_exists' });
  });

  it('lists every malformed field at once, and accepts only argon2id hashes', () => {
    given([])
      .when(createClerk({ userId: 'a b', displayName: '', roles: [], passwordHash: '$2b$12$bcrypthash' }))
      .thenThrows(
        ValidationError,
        invalid(['roles', 'min_items'], ['userId', 'user_id_format'], ['displayName', 'required'], ['passwordHash', 'argon2id_required']),
      );
  });

  it('refuses a role that does not exist', () => {
    given([]).when(createClerk({ roles: ['JUDGE' as never] })).thenThrows(ValidationError, invalid(['roles.0', 'enum']));
  });
});

describe('ChangeUserRoles', () => {
  it('records the new roles and CLETS certification with what they were before', () => {
    given([ev.created()])
      .when(command('ChangeUserRoles', { roles: ['QUERY_UPDATE', 'QUERY_ONLY_SEALED'], cletsCertified: true }))
      .then([
        {
          type: 'UserRolesChanged',
          data: { roles: ['QUERY_ONLY_SEALED', 'QUERY_UPDATE'], cletsCertified: true, before: { roles: ['QUERY_UPDATE'], cletsCertified: false } },
        },
      ]);
  });

  it('refuses a change that changes nothing', () => {
    given([ev.created()])
      .when(command('ChangeUserRoles', { roles: ['QUERY_UPDATE', 'QUERY_UPDATE'], cletsCertified: false }))
      .thenThrows(ValidationError, invalid(['roles', 'no_changes']));
  });

  it('refuses an ADMINISTRATOR of another organisation', () => {
    given([ev.created()])
      .when(command('ChangeUserRoles', { roles: ['ADMINISTRATOR'], cletsCertified: false, actor: actors.otherCourtAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('answers not found for an unknown user', () => {
    given([])
      .when(command('ChangeUserRoles', { roles: ['QUERY_ONLY'], cletsCertified: false }))
      .thenThrows(NotFoundError, { what: 'user', id: ACCOUNT_ID });
  });

  const operatorUser = ev.created({ organisation: OPERATOR_ORI, organisationKind: 'REGISTRY_OPERATOR', roles: ['SYSTEM_ADMINISTRATOR'] });

  it('refuses to revoke SYSTEM_ADMINISTRATOR by an ADMINISTRATOR who is not a system administrator', () => {
    given([operatorUser])
      .when(command('ChangeUserRoles', { roles: ['ADMINISTRATOR'], cletsCertified: false, actor: actors.operatorAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.roles.system_administrator_required' });
  });

  it('lets an administrator of the registry operator who is a system administrator revoke it', () => {
    given([operatorUser])
      .when(command('ChangeUserRoles', { roles: ['ADMINISTRATOR'], cletsCertified: false, actor: actors.operatorSysadminAdmin }))
      .then([
        {
          type: 'UserRolesChanged',
          data: { roles: ['ADMINISTRATOR'], cletsCertified: false, before: { roles: ['SYSTEM_ADMINISTRATOR'], cletsCertified: false } },
        },
      ]);
  });
});

describe('DisableUser and EnableUser', () => {
  it('disables a user, with the reason given', () => {
    given([ev.created()])
      .when(command('DisableUser', { reason: ' Left the court ' }))
      .then([{ type: 'UserDisabled', data: { reason: 'Left the court' } }]);
  });

  it('refuses to disable a disabled user', () => {
    given([ev.created(), ev.disabled()]).when(command('DisableUser', {})).thenThrows(InvalidStateError, { rule: 'user.already_disabled' });
  });

  it('refuses an ADMINISTRATOR of another organisation', () => {
    given([ev.created()])
      .when(command('DisableUser', { actor: actors.otherCourtAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('answers not found for an unknown user', () => {
    given([]).when(command('DisableUser', {})).thenThrows(NotFoundError, { what: 'user' });
  });

  it('enables a disabled user', () => {
    given([ev.created(), ev.disabled()]).when(command('EnableUser', {})).then([{ type: 'UserEnabled', data: {} }]);
  });

  it('refuses to enable a user who is not disabled', () => {
    given([ev.created()]).when(command('EnableUser', {})).thenThrows(InvalidStateError, { rule: 'user.not_disabled' });
  });

  it('refuses enabling by an ADMINISTRATOR of another organisation', () => {
    given([ev.created(), ev.disabled()])
      .when(command('EnableUser', { actor: actors.otherCourtAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });
});

describe('ChangePassword', () => {
  it('records the user’s own change', () => {
    given([ev.created()])
      .when(command('ChangePassword', { passwordHash: NEW_HASH, actor: actors.clerk }))
      .then([{ type: 'PasswordChanged', data: { passwordHash: NEW_HASH, reset: false } }]);
  });

  it('records an ADMINISTRATOR’s change as a reset', () => {
    given([ev.created()])
      .when(command('ChangePassword', { passwordHash: NEW_HASH }))
      .then([{ type: 'PasswordChanged', data: { passwordHash: NEW_HASH, reset: true } }]);
  });

  it('refuses a reset by an ADMINISTRATOR of another organisation', () => {
    given([ev.created()])
      .when(command('ChangePassword', { passwordHash: NEW_HASH, actor: actors.otherCourtAdmin }))
      .thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('refuses anything but an argon2id hash', () => {
    given([ev.created()])
      .when(command('ChangePassword', { passwordHash: 'hunter22', actor: actors.clerk }))
      .thenThrows(ValidationError, invalid(['passwordHash', 'argon2id_required']));
  });

  it('answers not found for an unknown user', () => {
    given([]).when(command('ChangePassword', { passwordHash: NEW_HASH })).thenThrows(NotFoundError, { what: 'user' });
  });
});

describe('RecordLoginSucceeded', () => {
  it('records the session and the version of the terms accepted', () => {
    given([ev.created()])
      .when(login())
      .then([{ type: 'UserLoggedIn', data: { sessionId: 'session-1', termsVersion: '2025-01', at: at(0) } }]);
  });

  it('refuses a login without acceptance of the terms', () => {
    given([ev.created()]).when(login({ acceptTerms: false })).thenThrows(ValidationError, invalid(['acceptTerms', 'terms_not_accepted']));
  });

  it('refuses a disabled user', () => {
    given([ev.created(), ev.disabled()]).when(login()).thenThrows(InvalidStateError, { rule: 'user.login.disabled' });
  });

  it('refuses a locked user even with the right password', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3), ...lockOut(at(4))])
      .when(login())
      .thenThrows(InvalidStateError, { rule: 'user.login.locked' });
  });

  it('answers not found for an unknown user', () => {
    given([]).when(login()).thenThrows(NotFoundError, { what: 'user', id: ACCOUNT_ID });
  });
});

describe('loginRefusal', () => {
  const state = (...events: UserEvent[]) => fold(userDecider, [ev.created(), ...events]);

  it.each([
    ['an enabled user, right password', state(), true, null],
    ['an enabled user, wrong password', state(), false, 'bad_password'],
    ['a locked user, right password', state(...lockOut(at(0))), true, 'locked'],
    ['a disabled user, right password', state(ev.disabled()), true, 'disabled'],
    ['a disabled and locked user', state(...lockOut(at(0)), ev.disabled()), false, 'disabled'],
  ])('%s → %s', (_, userState, passwordVerified, expected) => {
    expect(loginRefusal(userState, passwordVerified)).toBe(expected);
  });
});

describe('RecordLoginFailed and the lockout', () => {
  it('records a failed login', () => {
    given([ev.created()]).when(failedLogin(at(0))).then([ev.failed(at(0))]);
  });

  it('locks the account at the 5th failure within 15 minutes, in the same decision', () => {
    given([ev.created(), ...badPasswords(0, 3, 6, 9)]).when(failedLogin(at(12))).then(lockOut(at(12), 5));
  });

  it('counts the 5th failure at 14:59 after the first', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3)]).when(failedLogin(at(14, 59))).then(lockOut(at(14, 59), 5));
  });

  it('does not count a failure exactly 15 minutes old', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3)]).when(failedLogin(at(15))).then([ev.failed(at(15))]);
  });

  it('does not lock for 5 failures spread over 16 minutes', () => {
    given([ev.created(), ...badPasswords(0, 4, 8, 12)]).when(failedLogin(at(16))).then([ev.failed(at(16))]);
  });

  it('counts each of several attempts at the same instant (batched or aliased in one request)', () => {
    const sameInstant = [0, 0, 0, 0].map(() => ev.failed(at(0)));
    given([ev.created(), ...sameInstant]).when(failedLogin(at(0))).then(lockOut(at(0), 5));
  });

  it('does not lock after 4 failures, a success and 4 more failures', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3), ev.loggedIn(at(4)), ...badPasswords(5, 6, 7)])
      .when(failedLogin(at(8)))
      .then([ev.failed(at(8))]);
  });

  it('locks at the 5th failure after a success', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3), ev.loggedIn(at(4)), ...badPasswords(5, 6, 7, 8)])
      .when(failedLogin(at(9)))
      .then(lockOut(at(9), 5));
  });

  it('records a locked user’s further attempts, right password or not, without locking again', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3), ...lockOut(at(4))])
      .when(failedLogin(at(5), 'locked'))
      .then([ev.failed(at(5), 'locked')]);
  });

  it('records a disabled user’s attempts without counting them', () => {
    given([ev.created(), ev.disabled(), ...badPasswords(0, 1, 2, 3)])
      .when(failedLogin(at(4), 'disabled'))
      .then([ev.failed(at(4), 'disabled')]);
  });

  it('starts counting afresh after an administrator’s unlock', () => {
    given([ev.created(), ...badPasswords(0, 1, 2, 3), ...lockOut(at(4)), ev.unlocked()])
      .when(failedLogin(at(5)))
      .then([ev.failed(at(5))]);
  });

  it('keeps only the failures that can still share a window with the next attempt', () => {
    const state = fold(userDecider, [ev.created(), ...badPasswords(0, 5, 10, 15, 20, 25, 30, 35, 40, 45)]);
    expect(state.lockedOut).toBe(false);
    expect(state.recentFailures).toEqual([at(30), at(35), at(40), at(45)]);
  });

  it('refuses an unknown failure reason', () => {
    given([ev.created()])
      .when(failedLogin(at(0), 'expired' as never))
      .thenThrows(ValidationError, invalid(['reason', 'enum']));
  });

  it('answers not found for an unknown user', () => {
    given([]).when(failedLogin(at(0))).thenThrows(NotFoundError, { what: 'user' });
  });
});

describe('UnlockUser', () => {
  const locked = [ev.created(), ...badPasswords(0, 1, 2, 3), ...lockOut(at(4))];

  it('lets an ADMINISTRATOR of the user’s organisation release a locked account', () => {
    given(locked).when(command('UnlockUser', {})).then([{ type: 'UserUnlocked', data: {} }]);
  });

  it('lets the user log in again once released', () => {
    given([...locked, ev.unlocked()])
      .when(login({ now: at(5) }))
      .then([{ type: 'UserLoggedIn', data: { sessionId: 'session-1', termsVersion: '2025-01', at: at(5) } }]);
  });

  it.each([
    ['an ADMINISTRATOR of another organisation', actors.otherCourtAdmin],
    ['a SYSTEM_ADMINISTRATOR, who appoints a new administrator instead', actors.sysadmin],
    ['the user themself', actors.clerk],
  ])('refuses %s', (_, actor) => {
    given(locked).when(command('UnlockUser', { actor })).thenThrows(ForbiddenError, { rule: 'user.administrator_of_organisation_required' });
  });

  it('refuses to unlock a user who is not locked out', () => {
    given([ev.created()]).when(command('UnlockUser', {})).thenThrows(InvalidStateError, { rule: 'user.not_locked' });
  });
});

describe('RecordLogout', () => {
  it('records the end of the session', () => {
    given([ev.created(), ev.loggedIn(at(0))])
      .when(command('RecordLogout', { sessionId: 'session-0', now: at(10) }))
      .then([{ type: 'UserLoggedOut', data: { sessionId: 'session-0', at: at(10) } }]);
  });

  it('requires the session id', () => {
    given([ev.created()]).when(command('RecordLogout', { sessionId: '' })).thenThrows(ValidationError, invalid(['sessionId', 'required']));
  });

  it('answers not found for an unknown user', () => {
    given([]).when(command('RecordLogout', { sessionId: 'session-0' })).thenThrows(NotFoundError, { what: 'user' });
  });
});

describe('evolve', () => {
  it('keeps the profile current through role and password changes', () => {
    const state = fold(userDecider, [
      ev.created(),
      { type: 'UserRolesChanged', data: { roles: ['QUERY_ONLY'], cletsCertified: true, before: { roles: ['QUERY_UPDATE'], cletsCertified: false } } },
      { type: 'PasswordChanged', data: { passwordHash: NEW_HASH, reset: true } },
      ev.loggedIn(at(0)),
    ]);
    expect(state.profile).toEqual(clerkProfile({ roles: ['QUERY_ONLY'], cletsCertified: true, passwordHash: NEW_HASH }));
    expect(state.termsVersion).toBe('2025-01');
  });
});
