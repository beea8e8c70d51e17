import { seedDemo, SeedSummary } from '../../src/demo/seed';
import { RecordedEvent } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { organisationStream } from '../../src/identity/organisation.decider';
import { accountIdFor } from '../../src/identity/user-account-id';
import { userStream } from '../../src/identity/user.decider';
import { Api, startApi, tokenOf } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/postgres';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const DEMO_PASSWORD = 'demo password 2026';
const ORDERS = 40;

// Written out rather than taken from seed.ts, so a change there has to show up here.
const COURTS = ['CA010015J', 'CA020015J', 'CA030015J', 'CA040015J', 'CA050015J', 'CA012095J'];
const SHERIFF = 'CA0010000';
const EXPECTED_ORGANISATIONS: Record<string, string> = {
  CA0000000: 'REGISTRY_OPERATOR',
  ...Object.fromEntries(COURTS.slice(0, 5).map((ori) => [ori, 'SUPERIOR_COURT'])),
  CA012095J: 'TRIBAL_COURT',
  [SHERIFF]: 'LAW_ENFORCEMENT',
};
interface ExpectedUser {
  userId: string;
  organisation: string;
  roles: string[];
  cletsCertified: boolean;
}
const EXPECTED_USERS: ExpectedUser[] = [
  ...COURTS.flatMap((ori) => {
    const user = (prefix: string, role: string, cletsCertified = false) => ({
      userId: `${prefix}-${ori.toLowerCase()}`,
      organisation: ori,
      roles: [role],
      cletsCertified,
    });
    return [
      user('admin', 'ADMINISTRATOR'),
      user('qo', 'QUERY_ONLY'),
      user('qos', 'QUERY_ONLY_SEALED'),
      user('qu', 'QUERY_UPDATE'),
      user('clerk', 'QUERY_UPDATE_SEALED', true),
    ];
  }),
  { userId: 'admin-ca0010000', organisation: SHERIFF, roles: ['ADMINISTRATOR'], cletsCertified: false },
  { userId: 'deputy-ca0010000', organisation: SHERIFF, roles: ['QUERY_ONLY'], cletsCertified: true },
];

const withoutCreated = ({ userId, organisation, roles, cletsCertified }: SeedSummary['users'][number]) => ({
  userId,
  organisation,
  roles,
  cletsCertified,
});

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('demo seed', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let first: SeedSummary;
  let progress: [number, number][];

  beforeAll(async () => {
    db = await createTestDatabase(10);
    await PostgresEventStore.ensureSchema(db.pool);
    store = new PostgresEventStore(db.pool);
    progress = [];
    first = await seedDemo(store, {
      orders: ORDERS,
      seed: 7,
      password: DEMO_PASSWORD,
      now: NOW,
      progress: (done, total) => progress.push([done, total]),
    });
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('creates the registry operator, the courts and the sheriff, each in its own stream', async () => {
    expect(first.organisations.map((o) => [o.ori, o.kind, o.created])).toEqual(
      Object.entries(EXPECTED_ORGANISATIONS).map(([ori, kind]) => [ori, kind, true]),
    );
    for (const [ori, kind] of Object.entries(EXPECTED_ORGANISATIONS)) {
      const [created, ...rest] = await store.readStream(organisationStream(ori));
      expect(rest).toEqual([]);
      expect(created).toMatchObject({ type: 'OrganisationCreated', data: { ori, kind } });
      expect(created.metadata).toMatchObject({ actorUserId: 'system:demo-seed', actorOrganisation: 'CA0000000', actorRole: 'SYSTEM_ADMINISTRATOR' });
    }
    expect(first.organisations.filter((o) => o.carposEnabled).length).toBeGreaterThan(0);
    expect(first.organisations.filter((o) => o.kind !== 'REGISTRY_OPERATOR' && !o.carposEnabled).length).toBeGreaterThan(0);
  });

  it('creates a user per role in every court and the agency, administrators by the system administrator, the rest by theirs', async () => {
    expect(first.users.map(withoutCreated)).toEqual(EXPECTED_USERS);
    expect(first.users.every((u) => u.created)).toBe(true);
    for (const user of EXPECTED_USERS) {
      const [created, ...rest] = await store.readStream(userStream(accountIdFor(user.userId)));
      expect(rest).toEqual([]);
      expect(created.type).toBe('UserCreated');
      expect(created.data).toMatchObject(user);
      expect(created.data.passwordHash).toMatch(/^\$argon2id\$/);
      const byAdministrator = { actorUserId: `admin-${user.organisation.toLowerCase()}`, actorOrganisation: user.organisation };
      const bySystem = { actorUserId: 'system:demo-seed', actorOrganisation: 'CA0000000' };
      expect(created.metadata).toMatchObject(user.roles.includes('ADMINISTRATOR') ? bySystem : byAdministrator);
    }
  });

  it('adds the orders, each acted on only by users of its own court, none after `now`, spread over the past two years', async () => {
    expect(first.orders).toEqual({ created: ORDERS, existing: 0 });
    expect(progress).toHaveLength(ORDERS);
    expect(progress[ORDERS - 1]).toEqual([ORDERS, ORDERS]);

    const events = await collect(store.readAll());
    const orderEvents = events.filter((e) => e.stream.startsWith('order-'));
    const streams = new Map<string, RecordedEvent[]>();
    for (const event of orderEvents) streams.set(event.stream, [...(streams.get(event.stream) ?? []), event]);
    expect(streams.size).toBe(ORDERS);
    expect(orderEvents.filter((e) => e.type === 'OrderAdded').length).toBeGreaterThan(ORDERS / 2);

    const usersOf = (ori: string) => EXPECTED_USERS.filter((u) => u.organisation === ori).map((u) => u.userId);
    const courtsUsed = new Set<string>();
    for (const history of streams.values()) {
      expect(['OrderAdded', 'OrderDrafted']).toContain(history[0].type);
      const court = (history[0].data as { data: { court: { ori: string } } }).data.court.ori;
      courtsUsed.add(court);
      expect(COURTS).toContain(court);
      for (const event of history) {
        expect(usersOf(court)).toContain(event.metadata.actorUserId);
        expect(event.metadata.actorOrganisation).toBe(court);
      }
    }
    expect(courtsUsed.size).toBeGreaterThan(1);

    const times = events.map((e) => Date.parse(e.metadata.occurredAt));
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW.getTime());
    const orderTimes = orderEvents.map((e) => Date.parse(e.metadata.occurredAt));
    const DAY = 86_400_000;
    expect(Math.min(...orderTimes)).toBeLessThan(NOW.getTime() - 365 * DAY);
    expect(Math.max(...orderTimes)).toBeGreaterThan(NOW.getTime() - 365 * DAY);
    expect(Math.min(...orderTimes)).toBeGreaterThanOrEqual(NOW.getTime() - 731 * DAY);
  });

  it('appends nothing when run again with the same seed, and says so', async () => {
    const head = await store.headPosition();
    const again = await seedDemo(store, { orders: ORDERS, seed: 7, password: 'another password', now: new Date(NOW.getTime() + 86_400_000) });
    expect(await store.headPosition()).toBe(head);
    expect(again.orders).toEqual({ created: 0, existing: ORDERS });
    expect(again.organisations.every((o) => !o.created)).toBe(true);
    expect(again.users.every((u) => !u.created)).toBe(true);
    expect(again.users.map(withoutCreated)).toEqual(EXPECTED_USERS);
  }, 60_000);

  it('lets a seeded user log in to the registry with the seeded password', async () => {
    let api: Api | undefined;
    try {
      api = await startApi(db, { env: { PROCESSES: 'api,projector' } });
      const token = await tokenOf(api, 'QO-CA010015J', DEMO_PASSWORD);
      const me = await api.post('{ me { userId roles } }', {}, token);
      expect(me).toEqual({ data: { me: { userId: 'qo-ca010015j', roles: ['QUERY_ONLY'] } } });
    } finally {
      await api?.app.close();
    }
  }, 60_000);
});

describe('demo seed beside a registry that has started before', () => {
  let db: TestDatabase;
  afterAll(() => db.drop());

  it('uses the registry operator the first start created, as it is', async () => {
    db = await createTestDatabase(10);
    const api = await startApi(db);
    const store = new PostgresEventStore(db.pool);
    try {
      const operatorBefore = await store.readStream(organisationStream('CA0000000'));
      const summary = await seedDemo(store, { orders: 3, password: DEMO_PASSWORD, now: NOW });
      expect(summary.organisations[0]).toMatchObject({ ori: 'CA0000000', kind: 'REGISTRY_OPERATOR', created: false });
      expect(await store.readStream(organisationStream('CA0000000'))).toEqual(operatorBefore);
      expect(summary.orders).toEqual({ created: 3, existing: 0 });
    } finally {
      await store.close();
      await api.app.close();
    }
  }, 60_000);
});
