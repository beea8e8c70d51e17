import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/access/access-policy';
import { LOGIN_REFUSED } from '../../src/identity/authentication-error';
import { Api, codes, GraphqlBody, login, PASSWORD, startApi, tokenOf } from '../support/api';
import { administratorOf, CREATE_ORGANIZATION, CREATE_USER, provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { createTestDatabase, TestDatabase } from '../support/postgres';

// One app for the suite: every test makes its own users, so none sees another's state. The
// login rate limit is lifted because this suite logs in far more often than a person would.
let db: TestDatabase;
let api: Api;
let sysadmin: string;
const COURT = 'CA001015J';
const OTHER_COURT = 'CA002015J';
beforeAll(async () => {
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { LOGIN_RATE_LIMIT: '10000' } });
  sysadmin = await tokenOf(api);
  await provisionOrganisation(api, sysadmin, { ori: COURT, county: 'Alameda' });
  await provisionOrganisation(api, sysadmin, { ori: OTHER_COURT, county: 'Fresno' });
});
afterAll(async () => {
  await api.app.close();
  await db.drop();
});

let users = 0;
/** A login name no other test uses. */
const newUserId = (prefix = 'clerk') => `${prefix}-${++users}`;
const key = () => randomUUID();
const courtAdmin = () => tokenOf(api, administratorOf(COURT));
const otherCourtAdmin = () => tokenOf(api, administratorOf(OTHER_COURT));

const USER = 'userId displayName organisation roles cletsCertified disabled lockedOut';
const CHANGE_ROLES = `mutation ($userId: String!, $roles: [Role!]!, $clets: Boolean!, $key: String!) {
  changeUserRoles(userId: $userId, roles: $roles, cletsCertified: $clets, idempotencyKey: $key) { ${USER} }
}`;
const DISABLE = `mutation ($userId: String!, $reason: String!, $key: String!) { disableUser(userId: $userId, reason: $reason, idempotencyKey: $key) { ${USER} } }`;
const ENABLE = `mutation ($userId: String!, $key: String!) { enableUser(userId: $userId, idempotencyKey: $key) { ${USER} } }`;
const UNLOCK = `mutation ($userId: String!, $key: String!) { unlockUser(userId: $userId, idempotencyKey: $key) { ${USER} } }`;
const CHANGE_PASSWORD = `mutation ($current: String!, $new: String!, $key: String!) {
  changePassword(currentPassword: $current, newPassword: $new, idempotencyKey: $key) { ${USER} }
}`;
const RESET_PASSWORD = `mutation ($userId: String!, $new: String!, $key: String!) { resetPassword(userId: $userId, newPassword: $new, idempotencyKey: $key) { ${USER} } }`;
const CARPOS = `mutation ($ori: String!, $enabled: Boolean!, $key: String!) {
  changeCarposSetting(ori: $ori, carposEnabled: $enabled, idempotencyKey: $key) { ori carposEnabled }
}`;
const USER_QUERY = `query ($userId: String!) { user(userId: $userId) { ${USER} } }`;
const ME = '{ me { userId roles cletsCertified } }';
const ACCESS_LOG = `query { accessLog(action: "admin", limit: 1000) { userId organisation outcome target details } }`;

const NEW_PASSWORD = 'a brand new passphrase';

function userInput(overrides: Record<string, unknown> = {}) {
  return { userId: newUserId(), displayName: 'Clerk', organisation: COURT, roles: ['QUERY_UPDATE'], cletsCertified: false, password: PASSWORD, ...overrides };
}

/** The first error's code, field and rule (those present), for one-line expectations. */
function refusal(body: GraphqlBody): Record<string, unknown> {
  expect(body.errors).toHaveLength(1);
  const { code, field, rule } = body.errors![0].extensions ?? {};
  return Object.fromEntries(Object.entries({ code, field, rule }).filter(([, value]) => value !== undefined));
}

async function eventTypes(userId: string): Promise<string[]> {
  return (await api.userEvents(userId).catch(() => [])).map((event) => event.type);
}

interface LogEntry {
  userId: string;
  organisation: string;
  outcome: string;
  target: string | null;
  details: Record<string, unknown>;
}
/** The `admin` entries about one target, oldest first, as the registry operator reads them. */
async function adminEntriesAbout(target: string): Promise<LogEntry[]> {
  const body = await api.post(ACCESS_LOG, {}, sysadmin);
  expect(body.errors).toBeUndefined();
  return (body.data!.accessLog as Array<Omit<LogEntry, 'details'> & { details: string }>)
    .filter((entry) => entry.target === target)
    .map((entry) => ({ ...entry, details: JSON.parse(entry.details) }))
    .reverse();
}

describe('createOrganization and changeCarposSetting', () => {
  it('lets the SYSTEM_ADMINISTRATOR create an organisation and change its CARPOS setting', async () => {
    const input = { ori: 'ca003015j', name: 'Superior Court of Kern', kind: 'SUPERIOR_COURT', county: 'Kern', carposEnabled: false };
    const created = await api.post(CREATE_ORGANIZATION, { input, key: key() }, sysadmin);
    expect(created).toEqual({ data: { createOrganization: { ...input, ori: 'CA003015J' } } });
    const changed = await api.post(CARPOS, { ori: 'CA003015J', enabled: true, key: key() }, sysadmin);
    expect(changed).toEqual({ data: { changeCarposSetting: { ori: 'CA003015J', carposEnabled: true } } });
  });

  it('refuses callers without a session, non-SYSTEM_ADMINISTRATORs, malformed input, an existing ORI and an unknown one', async () => {
    const input = { ori: 'CA004015J', name: 'Tribal court', kind: 'TRIBAL_COURT', county: 'Humboldt', carposEnabled: false };
    const admin = await courtAdmin();
    expect(codes(await api.post(CREATE_ORGANIZATION, { input, key: key() }))).toEqual(['UNAUTHENTICATED']);
    expect(refusal(await api.post(CREATE_ORGANIZATION, { input, key: key() }, admin))).toEqual({ code: 'FORBIDDEN', rule: 'access.system_administrator_required' });
    expect(refusal(await api.post(CARPOS, { ori: COURT, enabled: true, key: key() }, admin))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await api.post(CREATE_ORGANIZATION, { input: { ...input, ori: 'CA-004' }, key: key() }, sysadmin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.ori',
    });
    expect(refusal(await api.post(CREATE_ORGANIZATION, { input: { ...input, kind: 'REGISTRY_OPERATOR' }, key: key() }, sysadmin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.kind',
    });
    // The decider's own finding, named as the client sent it.
    expect(refusal(await api.post(CREATE_ORGANIZATION, { input: { ...input, county: null }, key: key() }, sysadmin))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.county',
      rule: 'required_for_court',
    });
    expect(refusal(await api.post(CREATE_ORGANIZATION, { input: { ...input, ori: COURT }, key: key() }, sysadmin))).toEqual({
      code: 'CONFLICT',
      rule: 'organisation.already_exists',
    });
    expect(refusal(await api.post(CARPOS, { ori: COURT, enabled: false, key: key() }, sysadmin))).toMatchObject({ code: 'CONFLICT' });
    expect(refusal(await api.post(CARPOS, { ori: 'CA999999Z', enabled: true, key: key() }, sysadmin))).toMatchObject({ code: 'NOT_FOUND' });
    expect(refusal(await api.post(CARPOS, { ori: COURT, enabled: true, key: 'no spaces allowed' }, sysadmin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idempotencyKey',
    });
  });
});

describe('createUser', () => {
  it('lets an ADMINISTRATOR create a user of their organisation, who then logs in; the hash is argon2id and never shown', async () => {
    const input = userInput({ userId: 'Clerk.Created', displayName: 'Clerk Created', roles: ['QUERY_UPDATE_SEALED', 'QUERY_ONLY'], cletsCertified: true });
    const body = await api.post(CREATE_USER, { input, key: key() }, await courtAdmin());
    expect(body).toEqual({
      data: {
        createUser: {
          userId: 'clerk.created',
          displayName: 'Clerk Created',
          organisation: COURT,
          roles: ['QUERY_ONLY', 'QUERY_UPDATE_SEALED'],
          cletsCertified: true,
          disabled: false,
          lockedOut: false,
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain('argon2');
    const [created] = await api.userEvents('clerk.created');
    expect(created.data.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(created.metadata).toMatchObject({ actorUserId: administratorOf(COURT), actorOrganisation: COURT, actorRole: 'ADMINISTRATOR' });
    expect((await login(api, PASSWORD, 'clerk.created')).errors).toBeUndefined();
  });

  it('lets the SYSTEM_ADMINISTRATOR appoint administrators anywhere but no other users, and only in organisations that exist', async () => {
    const appointed = await api.post(CREATE_USER, { input: userInput({ roles: ['ADMINISTRATOR'] }), key: key() }, sysadmin);
    expect(appointed.errors).toBeUndefined();
    expect(refusal(await api.post(CREATE_USER, { input: userInput(), key: key() }, sysadmin))).toEqual({
      code: 'FORBIDDEN',
      rule: 'user.create.system_administrator_appoints_administrators_only',
    });
    // The decider's finding on the roles, named as the client sent them.
    expect(refusal(await api.post(CREATE_USER, { input: userInput({ roles: ['ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR'] }), key: key() }, sysadmin))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.roles',
      rule: 'system_administrator_registry_operator_only',
    });
    const nowhere = userInput({ organisation: 'CA999999Z', roles: ['ADMINISTRATOR'] });
    expect(refusal(await api.post(CREATE_USER, { input: nowhere, key: key() }, sysadmin))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await eventTypes(nowhere.userId as string)).toEqual([]);
  });

  it('refuses callers without a session, QUERY_UPDATE users, administrators of another organisation, and an existing user id', async () => {
    const clerk = await provisionUser(api, COURT, { userId: newUserId(), roles: ['QUERY_UPDATE'] });
    const input = userInput();
    expect(codes(await api.post(CREATE_USER, { input, key: key() }))).toEqual(['UNAUTHENTICATED']);
    expect(refusal(await api.post(CREATE_USER, { input, key: key() }, clerk))).toEqual({ code: 'FORBIDDEN', rule: 'access.administrator_required' });
    expect(refusal(await api.post(CREATE_USER, { input, key: key() }, await otherCourtAdmin()))).toEqual({
      code: 'FORBIDDEN',
      rule: 'access.own_organisation_only',
    });
    expect(await eventTypes(input.userId as string)).toEqual([]);
    const existing = { ...input, userId: administratorOf(COURT) };
    expect(refusal(await api.post(CREATE_USER, { input: existing, key: key() }, await courtAdmin()))).toEqual({
      code: 'CONFLICT',
      rule: 'user.already_exists',
    });
  });

  it.each([
    ['a short password', { password: 'short' }, 'input.password', 'min_length'],
    ['the user id as password', { userId: 'clerk.samename', password: 'Clerk.SameName' }, 'input.password', 'same_as_user_id'],
    ['a malformed user id', { userId: 'no spaces here' }, 'input.userId', 'matches'],
    ['no roles', { roles: [] }, 'input.roles', 'arrayMinSize'],
    ['a malformed ORI', { organisation: 'CA0010' }, 'input.organisation', 'matches'],
  ])('refuses %s as BAD_USER_INPUT naming the field, creating nothing', async (_, overrides, field, rule) => {
    const input = userInput(overrides);
    const body = await api.post(CREATE_USER, { input, key: key() }, await courtAdmin());
    expect(refusal(body)).toEqual({ code: 'BAD_USER_INPUT', field, rule });
    expect(await eventTypes(input.userId as string)).toEqual([]);
  });

  it('refuses an unknown role name and a malformed idempotency key before anything runs', async () => {
    const admin = await courtAdmin();
    const unknownRole = userInput({ roles: ['KING'] });
    const body = await api.post(CREATE_USER, { input: unknownRole, key: key() }, admin);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']); // GraphQL's own check of the Role enum names the variable in its message
    expect(body.errors![0].message).toMatch(/roles/);
    const badKey = userInput();
    for (const idempotencyKey of ['', 'x'.repeat(101), 'tab\there']) {
      expect(refusal(await api.post(CREATE_USER, { input: badKey, key: idempotencyKey }, admin))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'idempotencyKey',
      });
    }
    expect(await eventTypes(unknownRole.userId as string)).toEqual([]);
    expect(await eventTypes(badKey.userId as string)).toEqual([]);
  });
});

describe('changeUserRoles', () => {
  it('changes roles and CLETS certification, effective at the user’s next request with the same session', async () => {
    const userId = newUserId();
    const token = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    expect(await api.post(ME, {}, token)).toEqual({ data: { me: { userId, roles: ['QUERY_UPDATE'], cletsCertified: false } } });
    const changed = await api.post(CHANGE_ROLES, { userId, roles: ['QUERY_ONLY_SEALED'], clets: true, key: key() }, await courtAdmin());
    expect(changed.data?.changeUserRoles).toMatchObject({ userId, roles: ['QUERY_ONLY_SEALED'], cletsCertified: true });
    expect(await api.post(ME, {}, token)).toEqual({ data: { me: { userId, roles: ['QUERY_ONLY_SEALED'], cletsCertified: true } } });
  });

  it('refuses QUERY_UPDATE users and the SYSTEM_ADMINISTRATOR (FORBIDDEN), hides users of other organisations (NOT_FOUND), and refuses no change', async () => {
    const userId = newUserId();
    const clerk = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const change = { userId, roles: ['QUERY_ONLY'], clets: false };
    expect(codes(await api.post(CHANGE_ROLES, { ...change, key: key() }))).toEqual(['UNAUTHENTICATED']);
    expect(refusal(await api.post(CHANGE_ROLES, { ...change, key: key() }, clerk))).toEqual({ code: 'FORBIDDEN', rule: 'access.administrator_required' });
    expect(refusal(await api.post(CHANGE_ROLES, { ...change, key: key() }, sysadmin))).toMatchObject({ code: 'FORBIDDEN' });
    const hidden = await api.post(CHANGE_ROLES, { ...change, key: key() }, await otherCourtAdmin());
    const missing = await api.post(CHANGE_ROLES, { ...change, userId: 'nobody-at-all', key: key() }, await otherCourtAdmin());
    expect(refusal(hidden)).toEqual({ code: 'NOT_FOUND', rule: 'not_found' });
    expect(hidden.errors![0].message).toBe(`user ${userId} not found`);
    expect(missing.errors![0].message).toBe('user nobody-at-all not found');
    const admin = await courtAdmin();
    expect(refusal(await api.post(CHANGE_ROLES, { ...change, roles: ['QUERY_UPDATE'], key: key() }, admin))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'roles',
      rule: 'no_changes',
    });
    expect(refusal(await api.post(CHANGE_ROLES, { ...change, roles: [], key: key() }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
    expect(refusal(await api.post(CHANGE_ROLES, { ...change, userId: 'x', key: key() }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(await eventTypes(userId)).not.toContain('UserRolesChanged');
  });
});

describe('disableUser and enableUser', () => {
  it('refuses a disabled user’s open session at the next request and their logins, until enabled again', async () => {
    const userId = newUserId();
    const token = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const admin = await courtAdmin();
    const disabled = await api.post(DISABLE, { userId, reason: 'left the court', key: key() }, admin);
    expect(disabled.data?.disableUser).toMatchObject({ userId, disabled: true, lockedOut: false });
    expect(codes(await api.post(ME, {}, token))).toEqual(['UNAUTHENTICATED']);
    expect((await login(api, PASSWORD, userId)).errors?.[0].message).toBe(LOGIN_REFUSED);
    expect(refusal(await api.post(DISABLE, { userId, reason: 'again', key: key() }, admin))).toEqual({ code: 'CONFLICT', rule: 'user.already_disabled' });

    const enabled = await api.post(ENABLE, { userId, key: key() }, admin);
    expect(enabled.data?.enableUser).toMatchObject({ userId, disabled: false });
    expect((await login(api, PASSWORD, userId)).errors).toBeUndefined();
    expect(refusal(await api.post(ENABLE, { userId, key: key() }, admin))).toEqual({ code: 'CONFLICT', rule: 'user.not_disabled' });
  });

  it('refuses a disable without a reason, by a QUERY_UPDATE user, and of an unknown user', async () => {
    const userId = newUserId();
    const clerk = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const admin = await courtAdmin();
    expect(refusal(await api.post(DISABLE, { userId, reason: '', key: key() }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(refusal(await api.post(DISABLE, { userId, reason: 'no', key: key() }, clerk))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await api.post(ENABLE, { userId, key: key() }, clerk))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await api.post(DISABLE, { userId: 'nobody-at-all', reason: 'no', key: key() }, admin))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await eventTypes(userId)).not.toContain('UserDisabled');
  });
});

describe('lockout and unlockUser', () => {
  it('locks a user after 5 bad passwords; their ADMINISTRATOR unlocks them and the right password works again', async () => {
    const userId = newUserId();
    await provisionUser(api, COURT, { userId, roles: ['QUERY_ONLY'] });
    const admin = await courtAdmin();
    expect(refusal(await api.post(UNLOCK, { userId, key: key() }, admin))).toEqual({ code: 'CONFLICT', rule: 'user.not_locked' });
    for (let attempt = 0; attempt < 5; attempt++) expect(codes(await login(api, `wrong ${attempt}`, userId))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await login(api, PASSWORD, userId))).toEqual(['UNAUTHENTICATED']);
    expect((await api.post(USER_QUERY, { userId }, admin)).data?.user).toMatchObject({ lockedOut: true });

    expect(refusal(await api.post(UNLOCK, { userId, key: key() }, await otherCourtAdmin()))).toMatchObject({ code: 'NOT_FOUND' });
    const unlocked = await api.post(UNLOCK, { userId, key: key() }, admin);
    expect(unlocked.data?.unlockUser).toMatchObject({ userId, lockedOut: false });
    expect((await login(api, PASSWORD, userId)).errors).toBeUndefined();
    expect(await eventTypes(userId)).toContain('UserUnlocked');
  });
});

describe('changePassword and resetPassword', () => {
  it('changes the signed-in user’s own password after checking the current one: the old one is refused afterwards', async () => {
    const userId = newUserId();
    const token = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const wrong = await api.post(CHANGE_PASSWORD, { current: 'not my password', new: NEW_PASSWORD, key: key() }, token);
    expect(refusal(wrong)).toEqual({ code: 'BAD_USER_INPUT', field: 'currentPassword', rule: 'not_current_password' });
    expect(refusal(await api.post(CHANGE_PASSWORD, { current: PASSWORD, new: 'short', key: key() }, token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'newPassword',
      rule: 'min_length',
    });
    expect(codes(await api.post(CHANGE_PASSWORD, { current: PASSWORD, new: NEW_PASSWORD, key: key() }))).toEqual(['UNAUTHENTICATED']);
    // Neither refusal counted as a failed login nor changed anything.
    expect(await eventTypes(userId)).toEqual(['UserCreated', 'UserLoggedIn']);

    const changed = await api.post(CHANGE_PASSWORD, { current: PASSWORD, new: NEW_PASSWORD, key: key() }, token);
    expect(changed.data?.changePassword).toMatchObject({ userId });
    expect(codes(await login(api, PASSWORD, userId))).toEqual(['UNAUTHENTICATED']);
    expect((await login(api, NEW_PASSWORD, userId)).errors).toBeUndefined();
    const [event] = (await api.userEvents(userId)).filter((e) => e.type === 'PasswordChanged');
    expect(event.data.reset).toBe(false);
  });

  it('answers a retried change from the stream, although the current password sent is no longer current', async () => {
    const userId = newUserId();
    const token = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const change = { current: PASSWORD, new: NEW_PASSWORD, key: key() };
    expect((await api.post(CHANGE_PASSWORD, change, token)).errors).toBeUndefined();
    expect((await api.post(CHANGE_PASSWORD, change, token)).errors).toBeUndefined();
    expect((await eventTypes(userId)).filter((type) => type === 'PasswordChanged')).toHaveLength(1);
    // A new key is a new change, and the old password is checked again.
    expect(refusal(await api.post(CHANGE_PASSWORD, { ...change, key: key() }, token))).toMatchObject({ field: 'currentPassword' });
  });

  it('lets an ADMINISTRATOR reset a user’s password, but not their own nor that of a user elsewhere', async () => {
    const userId = newUserId();
    const clerk = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const admin = await courtAdmin();
    expect(refusal(await api.post(RESET_PASSWORD, { userId, new: 'short', key: key() }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'newPassword',
    });
    expect(refusal(await api.post(RESET_PASSWORD, { userId: administratorOf(COURT), new: NEW_PASSWORD, key: key() }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'userId',
      rule: 'own_password',
    });
    expect(refusal(await api.post(RESET_PASSWORD, { userId, new: NEW_PASSWORD, key: key() }, clerk))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await api.post(RESET_PASSWORD, { userId, new: NEW_PASSWORD, key: key() }, await otherCourtAdmin()))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await eventTypes(userId)).not.toContain('PasswordChanged');

    expect((await api.post(RESET_PASSWORD, { userId, new: NEW_PASSWORD, key: key() }, admin)).errors).toBeUndefined();
    expect(codes(await login(api, PASSWORD, userId))).toEqual(['UNAUTHENTICATED']);
    expect((await login(api, NEW_PASSWORD, userId)).errors).toBeUndefined();
    const [event] = (await api.userEvents(userId)).filter((e) => e.type === 'PasswordChanged');
    expect(event.data.reset).toBe(true);
  });
});

describe('user query', () => {
  it('shows a user to their ADMINISTRATOR and the SYSTEM_ADMINISTRATOR; elsewhere answers exactly as for a missing user', async () => {
    const userId = newUserId();
    const clerk = await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'], cletsCertified: true });
    const expected = { userId, displayName: `User ${userId}`, organisation: COURT, roles: ['QUERY_UPDATE'], cletsCertified: true, disabled: false, lockedOut: false };
    expect(await api.post(USER_QUERY, { userId: userId.toUpperCase() }, await courtAdmin())).toEqual({ data: { user: expected } });
    expect(await api.post(USER_QUERY, { userId }, sysadmin)).toEqual({ data: { user: expected } });

    const elsewhere = await api.post(USER_QUERY, { userId }, await otherCourtAdmin());
    const missing = await api.post(USER_QUERY, { userId: 'nobody-at-all' }, await otherCourtAdmin());
    expect(refusal(elsewhere)).toEqual(refusal(missing));
    expect(refusal(elsewhere)).toEqual({ code: 'NOT_FOUND', rule: 'not_found' });
    expect(refusal(await api.post(USER_QUERY, { userId }, clerk))).toMatchObject({ code: 'FORBIDDEN' });
    expect(codes(await api.post(USER_QUERY, { userId }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('idempotency', () => {
  it('acts once for a key sent twice by one user, and never replays that key for another user', async () => {
    const userId = newUserId();
    const secondAdmin = newUserId('admin');
    await provisionUser(api, COURT, { userId, roles: ['QUERY_UPDATE'] });
    const other = await provisionUser(api, COURT, { userId: secondAdmin, roles: ['ADMINISTRATOR'] });
    const admin = await courtAdmin();
    const shared = key();
    const first = await api.post(CHANGE_ROLES, { userId, roles: ['QUERY_ONLY'], clets: false, key: shared }, admin);
    const retry = await api.post(CHANGE_ROLES, { userId, roles: ['QUERY_ONLY'], clets: false, key: shared }, admin);
    expect(retry).toEqual(first);
    expect((await eventTypes(userId)).filter((type) => type === 'UserRolesChanged')).toHaveLength(1);

    const byOther = await api.post(CHANGE_ROLES, { userId, roles: ['QUERY_UPDATE'], clets: true, key: shared }, other);
    expect(byOther.data?.changeUserRoles).toMatchObject({ roles: ['QUERY_UPDATE'], cletsCertified: true });
    const changes = (await api.userEvents(userId)).filter((event) => event.type === 'UserRolesChanged');
    expect(changes.map((event) => event.metadata.actorUserId)).toEqual([administratorOf(COURT), secondAdmin]);
    expect(new Set(changes.map((event) => event.metadata.commandId)).size).toBe(2);

    const entries = await adminEntriesAbout(userId);
    expect(entries.filter((entry) => entry.details.mutation === 'changeUserRoles').map((entry) => entry.details.replayed ?? false)).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe('access log of administrative actions', () => {
  it('records every administrative mutation, refused ones too, with the target and what was done, and never a password or hash', async () => {
    const userId = newUserId();
    const admin = await courtAdmin();
    const create = await api.post(CREATE_USER, { input: userInput({ userId }), key: key() }, admin);
    expect(create.errors).toBeUndefined();
    const clerk = await tokenOf(api, userId);
    const steps: Array<[string, Record<string, unknown>]> = [
      [CHANGE_ROLES, { userId, roles: ['QUERY_ONLY'], clets: true }],
      [RESET_PASSWORD, { userId, new: NEW_PASSWORD }],
      [DISABLE, { userId, reason: 'on leave' }],
      [ENABLE, { userId }],
      [UNLOCK, { userId }], // refused: not locked
    ];
    for (const [mutation, variables] of steps) await api.post(mutation, { ...variables, key: key() }, admin);
    await api.post(CHANGE_PASSWORD, { current: NEW_PASSWORD, new: `${NEW_PASSWORD} 2`, key: key() }, await tokenOf(api, userId, NEW_PASSWORD));
    await api.post(CHANGE_ROLES, { userId, roles: ['QUERY_UPDATE'], clets: false, key: key() }, clerk); // refused: not an administrator

    const entries = await adminEntriesAbout(userId);
    expect(entries.map((entry) => [entry.userId, entry.details.mutation, entry.outcome, entry.details.code ?? null])).toEqual([
      [administratorOf(COURT), 'createUser', 'ok', null],
      [administratorOf(COURT), 'changeUserRoles', 'ok', null],
      [administratorOf(COURT), 'resetPassword', 'ok', null],
      [administratorOf(COURT), 'disableUser', 'ok', null],
      [administratorOf(COURT), 'enableUser', 'ok', null],
      [administratorOf(COURT), 'unlockUser', 'refused', 'CONFLICT'],
      [userId, 'changePassword', 'ok', null],
      [userId, 'changeUserRoles', 'refused', 'FORBIDDEN'],
    ]);
    expect(entries[0]).toMatchObject({ organisation: COURT, details: { organisation: COURT, roles: ['QUERY_UPDATE'], cletsCertified: false } });
    expect(entries[1].details).toMatchObject({ roles: ['QUERY_ONLY'], cletsCertified: true });
    expect(entries[3].details).toMatchObject({ reason: 'on leave' });
    const logged = JSON.stringify(entries);
    for (const secret of [PASSWORD, NEW_PASSWORD, 'argon2', 'passwordHash']) expect(logged).not.toContain(secret);
  });

  it('records organisation administration under the ORI', async () => {
    const input = { ori: 'CA005015J', name: 'Sheriff', kind: 'LAW_ENFORCEMENT', carposEnabled: false };
    expect((await api.post(CREATE_ORGANIZATION, { input, key: key() }, sysadmin)).errors).toBeUndefined();
    await api.post(CARPOS, { ori: 'CA005015J', enabled: true, key: key() }, await courtAdmin()); // refused
    const entries = await adminEntriesAbout('CA005015J');
    expect(entries.map((entry) => [entry.userId, entry.details.mutation, entry.outcome])).toEqual([
      [api.adminId, 'createOrganization', 'ok'],
      [administratorOf(COURT), 'changeCarposSetting', 'refused'],
    ]);
    expect(entries[0].details).toMatchObject({ name: 'Sheriff', kind: 'LAW_ENFORCEMENT', carposEnabled: false });
  });
});

describe('test fixtures', () => {
  it('provisionOrganisation can be called again for an organisation that exists', async () => {
    await expect(provisionOrganisation(api, sysadmin, { ori: COURT })).resolves.toBeUndefined();
    const roles: Role[] = ['QUERY_ONLY'];
    await expect(provisionUser(api, COURT, { userId: newUserId(), roles })).resolves.toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
