import { LoggerService } from '@nestjs/common';
import { allProjections } from '../../projections';
import { LOGIN_REFUSED } from '../../src/identity/authentication-error';
import { Api, codes, GraphqlBody, LOGIN, login, MINUTE, PASSWORD, startApi as startOn, tokenOf } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/postgres';

let db: TestDatabase;
const running: Api[] = [];
beforeAll(async () => {
  db = await createTestDatabase(1);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.app.close()));
});
afterAll(() => db.drop());

async function startApi(env: Record<string, string> = {}, logger: LoggerService | false = false): Promise<Api> {
  const api = await startOn(db, { env, logger });
  running.push(api);
  return api;
}

const ME = '{ me { userId organisation roles } }';

/** Every error of every answer: no stack trace, no internals. */
function expectNoStackTraces(body: GraphqlBody): void {
  for (const error of body.errors ?? []) {
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(error.extensions).not.toHaveProperty('exception');
    expect(JSON.stringify(error)).not.toMatch(/\n\s+at /);
  }
}

describe('identity over POST /graphql', () => {
  it('lets the bootstrap administrator log in, records the terms accepted, and answers `me` with the session', async () => {
    const api = await startApi();
    const body = await login(api);
    expect(body.errors).toBeUndefined();
    const session = body.data!.login as { token: string; expiresAt: string; user: unknown };
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(new Date(api.clock.now().getTime() + 12 * 60 * MINUTE).toISOString());
    expect(session.user).toEqual({
      userId: api.adminId,
      displayName: 'Registry system administrator',
      organisation: 'CA0000000',
      roles: ['SYSTEM_ADMINISTRATOR'],
      cletsCertified: false,
    });

    const me = await api.post(ME, {}, session.token);
    expect(me).toEqual({ data: { me: { userId: api.adminId, organisation: 'CA0000000', roles: ['SYSTEM_ADMINISTRATOR'] } } });

    const loggedIn = (await api.userEvents(api.adminId)).filter((event) => event.type === 'UserLoggedIn');
    expect(loggedIn).toHaveLength(1);
    expect(loggedIn[0].data).toMatchObject({ termsVersion: '2026-01', at: api.clock.now().toISOString() });
    expect(loggedIn[0].metadata.actorUserId).toBe(api.adminId);
  });

  it('refuses a wrong password with UNAUTHENTICATED and records UserLoginFailed in the user stream', async () => {
    const api = await startApi();
    const body = await login(api, 'not the password');
    expect(body.data).toEqual({ login: null });
    expect(body.errors).toEqual([expect.objectContaining({ message: LOGIN_REFUSED, extensions: { code: 'UNAUTHENTICATED' } })]);
    expectNoStackTraces(body);
    const failures = (await api.userEvents(api.adminId)).filter((event) => event.type === 'UserLoginFailed');
    expect(failures.map((event) => event.data)).toEqual([{ reason: 'bad_password', at: api.clock.now().toISOString() }]);
  });

  it('answers an unknown user id with the very same message as a wrong password', async () => {
    const api = await startApi();
    const body = await login(api, PASSWORD, 'nobody-here');
    expect(body.errors).toEqual([expect.objectContaining({ message: LOGIN_REFUSED, extensions: { code: 'UNAUTHENTICATED' } })]);
    expect(await api.userEvents('nobody-here').catch(() => [])).toEqual([]);
  });

  it('locks the account after 5 wrong passwords within 15 minutes: the right password then fails alike, and open sessions stop working', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    for (let attempt = 0; attempt < 5; attempt++) {
      api.clock.advance(3 * MINUTE - 1); // the 5th is still inside 15 minutes of the 1st
      expect(codes(await login(api, `wrong ${attempt}`))).toEqual(['UNAUTHENTICATED']);
    }
    const right = await login(api);
    expect(right.errors).toEqual([expect.objectContaining({ message: LOGIN_REFUSED, extensions: { code: 'UNAUTHENTICATED' } })]);

    const types = (await api.userEvents(api.adminId)).map((event) => event.type);
    expect(types.filter((type) => type === 'UserLockedOut')).toHaveLength(1);
    const lastFailure = (await api.userEvents(api.adminId)).filter((event) => event.type === 'UserLoginFailed').pop();
    expect(lastFailure?.data.reason).toBe('locked');
    expect(codes(await api.post(ME, {}, token))).toEqual(['UNAUTHENTICATED']);
  });

  it('does not lock after 4 wrong passwords, so the right one still logs in', async () => {
    const api = await startApi();
    for (let attempt = 0; attempt < 4; attempt++) expect(codes(await login(api, `wrong ${attempt}`))).toEqual(['UNAUTHENTICATED']);
    expect((await login(api)).errors).toBeUndefined();
  });

  it('counts 5 wrong passwords aliased in one request and locks the account', async () => {
    const api = await startApi();
    const aliases = ['a', 'b', 'c', 'd', 'e']
      .map((alias) => `${alias}: login(userId: $userId, password: $password, acceptTerms: true) { token }`)
      .join('\n');
    const body = await api.post(`mutation ($userId: String!, $password: String!) { ${aliases} }`, {
      userId: api.adminId,
      password: 'guess',
    });
    expect(codes(body)).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expectNoStackTraces(body);
    const events = await api.userEvents(api.adminId);
    expect(events.filter((event) => event.type === 'UserLoginFailed')).toHaveLength(5);
    expect(events.filter((event) => event.type === 'UserLockedOut')).toHaveLength(1);
    expect((await login(api)).errors).toEqual([expect.objectContaining({ message: LOGIN_REFUSED })]);
  });

  it('refuses a login without accepting the terms as BAD_USER_INPUT on acceptTerms, recording no login', async () => {
    const api = await startApi();
    const body = await api.post(LOGIN, { userId: api.adminId, password: PASSWORD, acceptTerms: false });
    expect(body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'acceptTerms', rule: 'terms_not_accepted' }) }),
    ]);
    expectNoStackTraces(body);
    expect((await api.userEvents(api.adminId)).map((event) => event.type)).toEqual(['UserCreated']);
  });

  it('ends the session at logout: the token is refused afterwards and UserLoggedOut is recorded', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    expect(await api.post('mutation { logout }', {}, token)).toEqual({ data: { logout: true } });
    const me = await api.post(ME, {}, token);
    expect(codes(me)).toEqual(['UNAUTHENTICATED']);
    expectNoStackTraces(me);
    expect(codes(await api.post('mutation { logout }', {}, token))).toEqual(['UNAUTHENTICATED']);
    const loggedOut = (await api.userEvents(api.adminId)).filter((event) => event.type === 'UserLoggedOut');
    expect(loggedOut).toHaveLength(1);
  });

  it('keeps a session alive while it is used and ends it after 30 minutes idle', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    api.clock.advance(30 * MINUTE - 1);
    expect(codes(await api.post(ME, {}, token))).toEqual([]); // this request moves the idle timer
    api.clock.advance(30 * MINUTE - 1);
    expect(codes(await api.post(ME, {}, token))).toEqual([]);
    api.clock.advance(30 * MINUTE);
    expect(codes(await api.post(ME, {}, token))).toEqual(['UNAUTHENTICATED']);
    api.clock.advance(-MINUTE); // an expired session is never revived
    expect(codes(await api.post(ME, {}, token))).toEqual(['UNAUTHENTICATED']);
  });

  it('ends a session 12 hours after login even when it was used all along', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    for (let request = 0; request < 28; request++) {
      api.clock.advance(25 * MINUTE); // 28 × 25 min = 11 h 40 min, never idle for 30
      expect(codes(await api.post(ME, {}, token))).toEqual([]);
    }
    api.clock.advance(20 * MINUTE);
    expect(codes(await api.post(ME, {}, token))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers `me` without an Authorization header, or with a made-up token, with UNAUTHENTICATED', async () => {
    const api = await startApi();
    for (const body of [await api.post(ME), await api.post(ME, {}, 'made-up-token')]) {
      expect(body.data).toBeNull();
      expect(codes(body)).toEqual(['UNAUTHENTICATED']);
      expectNoStackTraces(body);
    }
  });

  it('shows a malformed query its validation error but never a stack trace', async () => {
    const api = await startApi();
    const body = await api.post('{ me { password } }');
    expect(codes(body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expectNoStackTraces(body);
  });
});

describe('the schema in production', () => {
  it('refuses introspection and suggests no field names', async () => {
    const api = await startApi({ NODE_ENV: 'production' });
    const introspection = await api.post('{ __schema { types { name } } }');
    expect(codes(introspection)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const typo = await api.post('{ mee { userId } }');
    expect(codes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(typo.errors![0].message).not.toMatch(/did you mean/i);
  });
});

describe('bootstrap of the first system administrator', () => {
  it('without a configured password logs a one-time password once, and it logs in', async () => {
    const lines: string[] = [];
    const capture: LoggerService = {
      log: (message: unknown) => lines.push(String(message)),
      warn: (message: unknown) => lines.push(String(message)),
      error: (message: unknown) => lines.push(String(message)),
    };
    const first = await startApi({ BOOTSTRAP_ADMIN_USER_ID: 'generated-admin', BOOTSTRAP_ADMIN_PASSWORD: '' }, capture);
    const announced = lines.filter((line) => line.includes('"generated-admin"'));
    expect(announced).toHaveLength(1);
    const password = /one-time password (\S+)/.exec(announced[0])?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await login(first, password)).errors).toBeUndefined();

    lines.length = 0;
    await startApi({ BOOTSTRAP_ADMIN_USER_ID: 'generated-admin', BOOTSTRAP_ADMIN_PASSWORD: '' }, capture);
    expect(lines.filter((line) => line.includes('one-time password'))).toEqual([]);
  });
});

describe('query limits (graphql-armor)', () => {
  it('refuses a request with more aliases than allowed before running any of them', async () => {
    const api = await startApi();
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: login(userId: $userId, password: $password, acceptTerms: true) { token }`);
    const body = await api.post(`mutation ($userId: String!, $password: String!) { ${aliases.join('\n')} }`, {
      userId: api.adminId,
      password: 'guess',
    });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0].message).toMatch(/aliases/i);
    expectNoStackTraces(body);
    // Nothing ran: no argon2 work, no attempt recorded, the account not locked.
    expect((await api.userEvents(api.adminId)).filter((event) => event.type === 'UserLoginFailed')).toEqual([]);
    expect((await login(api)).errors).toBeUndefined();
  });

  it('slows password guessing from one address: past the limit a login answers TOO_MANY_REQUESTS and is not even tried', async () => {
    const api = await startApi({ LOGIN_RATE_LIMIT: '3' });
    for (let attempt = 0; attempt < 3; attempt++) expect(codes(await login(api, `wrong ${attempt}`))).toEqual(['UNAUTHENTICATED']);
    const limited = await login(api); // the right password, but one attempt too many
    expect(codes(limited)).toEqual(['TOO_MANY_REQUESTS']);
    expectNoStackTraces(limited);
    const failed = (await api.userEvents(api.adminId)).filter((event) => event.type.startsWith('UserLog'));
    expect(failed.map((event) => event.type)).toEqual(['UserLoginFailed', 'UserLoginFailed', 'UserLoginFailed']);
  });
});


describe('access log', () => {
  const entriesOf = async (userId: string) =>
    (
      await db.pool.query(
        'SELECT action, outcome, organisation, details, client FROM access_log WHERE user_id = $1 ORDER BY id',
        [userId],
      )
    ).rows;

  it('records every login, failed login (with the reason, unknown names too) and logout, with the client address', async () => {
    const api = await startApi();
    const unknown = `nobody-${api.adminId}`;
    expect(codes(await login(api, 'wrong'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await login(api, PASSWORD, unknown))).toEqual(['UNAUTHENTICATED']);
    const token = await tokenOf(api);
    expect((await api.post('mutation { logout }', {}, token)).errors).toBeUndefined();

    const entries = await entriesOf(api.adminId);
    expect(entries.map((e) => [e.action, e.outcome, e.details?.reason ?? null])).toEqual([
      ['login_failed', 'refused', 'bad_password'],
      ['login', 'ok', null],
      ['logout', 'ok', null],
    ]);
    expect(entries.every((e) => e.organisation === 'CA0000000' && /127\.0\.0\.1/.test(e.client ?? ''))).toBe(true);
    expect((await entriesOf(unknown)).map((e) => [e.action, e.details.reason])).toEqual([['login_failed', 'unknown_user']]);
  });

  it('cannot be changed or emptied by the application', async () => {
    await startApi();
    await expect(db.pool.query(`UPDATE access_log SET outcome = 'ok'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('TRUNCATE access_log')).rejects.toThrow(/append-only/);
  });
});

describe('accessLog query', () => {
  const ACCESS_LOG = `query ($action: String) { accessLog(action: $action) { at userId organisation action outcome details client } }`;

  it('lets the registry operator read the log, and records that it was read', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    const body = await api.post(ACCESS_LOG, { action: 'login' }, token);
    expect(body.errors).toBeUndefined();
    const entries = body.data!.accessLog as Array<{ userId: string; action: string }>;
    expect(entries.some((e) => e.userId === api.adminId && e.action === 'login')).toBe(true);
    const viewed = await api.post(ACCESS_LOG, { action: 'access_log_view' }, token);
    expect((viewed.data!.accessLog as Array<{ userId: string }>).map((e) => e.userId)).toContain(api.adminId);
  });

  it('refuses an unknown action as BAD_USER_INPUT and an anonymous reader as UNAUTHENTICATED', async () => {
    const api = await startApi();
    const token = await tokenOf(api);
    const bad = await api.post(ACCESS_LOG, { action: 'coffee' }, token);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'action', rule: 'one_of' });
    expect(codes(await api.post(ACCESS_LOG, {}))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('projections query', () => {
  it('shows the registry operator every projection generation with its lag, and refuses anonymous callers', async () => {
    const api = await startApi({ PROCESSES: 'api,projector' });
    const token = await tokenOf(api);
    const query = '{ projections { name generation version state checkpoint lagEvents lagSeconds error } }';
    let projections: Array<{ name: string; state: string; error: string | null }> = [];
    for (let tries = 0; tries < 100 && projections.filter((p) => p.state === 'live').length < allProjections.length; tries++) {
      const body = await api.post(query, {}, token);
      expect(body.errors).toBeUndefined();
      projections = body.data!.projections as typeof projections;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(projections.map((p) => [p.name, p.state, p.error]).sort()).toEqual(
      allProjections.map((p) => [p.name, 'live', null]).sort(),
    );
    expect(codes(await api.post(query, {}))).toEqual(['UNAUTHENTICATED']);
  });
});
