import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app/app.module';
import { Clock } from '../../src/app/clock';
import { EVENT_STORE } from '../../src/app/infrastructure.module';
import { loadConfig } from '../../src/config/config';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { accountIdFor } from '../../src/identity/user-account-id';
import { userStream } from '../../src/identity/user.decider';
import { TestDatabase, testDatabaseUrlFor } from './postgres';

/** A clock the test moves by hand, so sessions can idle for 30 minutes in no time. */
export class TestClock implements Clock {
  private at: number;
  constructor(start = '2026-03-02T09:00:00.000Z') {
    this.at = Date.parse(start);
  }
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export const MINUTE = 60_000;
/** The bootstrap administrator's password in every test app. */
export const PASSWORD = 'correct horse battery staple';

export interface GraphqlError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}
export interface GraphqlBody {
  data?: Record<string, any> | null;
  errors?: GraphqlError[];
}

export interface Api {
  app: INestApplication;
  clock: TestClock;
  /** The bootstrap administrator this app was started with. */
  adminId: string;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  post(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphqlBody>;
  userEvents(userId: string): Promise<RecordedEvent[]>;
}

export interface StartApiOptions {
  env?: Record<string, string>;
  logger?: LoggerService | false;
  clock?: TestClock;
}

let apps = 0;
/**
 * The real api process on a test schema, listening on a free port. Each call bootstraps its own
 * administrator (the operator organisation is made once), so locking one account does not
 * disturb others. The caller closes `app` (see `apiLifecycle`).
 */
export async function startApi(db: TestDatabase, { env = {}, logger = false, clock = new TestClock() }: StartApiOptions = {}): Promise<Api> {
  const adminId = env.BOOTSTRAP_ADMIN_USER_ID ?? `admin-${process.pid}-${++apps}`;
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrlFor(db.schema),
    PORT: '0',
    HOST: '127.0.0.1',
    PROCESSES: 'api',
    BOOTSTRAP_ADMIN_USER_ID: adminId,
    BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
    TERMS_VERSION: '2026-01',
    // Suites log many users in from one address; the rate-limit test sets its own figure.
    LOGIN_RATE_LIMIT: '1000',
    ...env,
  });
  const app = await NestFactory.create(AppModule.forRoot(config, clock), { logger });
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  const store = app.get<EventStore>(EVENT_STORE);
  return {
    app,
    clock,
    adminId,
    baseUrl,
    async post(query, variables = {}, token) {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphqlBody;
    },
    userEvents: (userId) => store.readStream(userStream(accountIdFor(userId))),
  };
}

export const LOGIN = `mutation ($userId: String!, $password: String!, $acceptTerms: Boolean!) {
  login(userId: $userId, password: $password, acceptTerms: $acceptTerms) {
    token expiresAt user { userId displayName organisation roles cletsCertified }
  }
}`;

export function login(api: Api, password = PASSWORD, userId = api.adminId): Promise<GraphqlBody> {
  return api.post(LOGIN, { userId, password, acceptTerms: true });
}

/** A session token, failing the test when the login is refused. */
export async function tokenOf(api: Api, userId = api.adminId, password = PASSWORD): Promise<string> {
  const body = await login(api, password, userId);
  if (body.errors) throw new Error(`login of ${userId} refused: ${JSON.stringify(body.errors)}`);
  return (body.data!.login as { token: string }).token;
}

/** The error codes of an answer, in order. */
export function codes(body: GraphqlBody): unknown[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}
