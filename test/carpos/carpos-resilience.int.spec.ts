import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { EVENT_STORE } from '../../src/app/infrastructure.module';
import { EventStore } from '../../src/event-store/event-store.port';
import { Api, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, orderData } from '../support/order-api';
import { createTestDatabase, TestDatabase, testDatabaseUrlFor } from '../support/postgres';
import { ChildHandle, eventually, Simulator, startSimulator, startTs } from '../support/processes';

/**
 * What must not lose or double a CARPOS transaction: the worker process killed mid-send, DOJ
 * applying a transaction but its answer getting lost, DOJ down for a while, retries running
 * out, and Redis restarting (without persistence) while transactions are queued. The worker
 * runs as its own process; Redis is a private server of this suite, so restarting it disturbs
 * nobody else.
 */

const COURT = { county: 'Alameda', ori: 'CA010015J' };
let REDIS_PORT: number;
let REDIS_URL: string;

let db: TestDatabase;
let redis: ChildProcess;
let simulator: Simulator;
let api: Api;
let store: EventStore;
let worker: ChildHandle | undefined;
let clerk: string;
let sysadmin: string;

/** A port nothing listens on now, from the OS: a fixed port could meet a server left over from an earlier run. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts the private Redis and waits until it answers, as itself: its process id, not some other server on the port. */
async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = once(redis, 'exit').then(([code]) => {
    throw new Error(`the private redis-server exited with ${code} (port ${REDIS_PORT} taken?)`);
  });
  exited.catch(() => undefined);
  const answering = eventually(async () => ((await serverPid()) === redis.pid ? true : undefined), 'the private Redis', 10_000);
  await Promise.race([answering, exited]);
}

async function stopRedis(): Promise<void> {
  if (redis.exitCode !== null || redis.signalCode !== null) return;
  const exited = once(redis, 'exit');
  redis.kill('SIGKILL');
  await exited;
}

/** The process id of the Redis server answering on REDIS_PORT, or undefined when none does. */
async function serverPid(): Promise<number | undefined> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return Number((await client.info('server')).match(/process_id:(\d+)/)?.[1]);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

const workerEnv = (extra: Record<string, string> = {}) => ({
  PROCESSES: 'carpos-worker',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: testDatabaseUrlFor(db.schema),
  REDIS_URL,
  DOJ_GATEWAY_URL: simulator.url,
  DOJ_TIMEOUT_MS: '2000',
  CARPOS_QUEUE: `carpos-${db.schema}`,
  CARPOS_BACKOFF_MS: '100',
  CARPOS_ATTEMPTS: '1000',
  CARPOS_RELAY_MS: '50',
  CARPOS_LOCK_MS: '2000',
  BOOTSTRAP_ADMIN_PASSWORD: 'not used by a worker process',
  ...extra,
});

async function startWorker(extra: Record<string, string> = {}): Promise<void> {
  worker = await startTs('src/main.ts', workerEnv(extra), /listening on/);
}

beforeAll(async () => {
  db = await createTestDatabase(4);
  REDIS_PORT = await freePort();
  REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
  await startRedis();
  simulator = await startSimulator();
  api = await startApi(db, { env: { PROCESSES: 'api,projector', REDIS_URL, CARPOS_QUEUE: `carpos-${db.schema}` } });
  store = api.app.get(EVENT_STORE);
  sysadmin = await tokenOf(api);
  await provisionOrganisation(api, sysadmin, { ...COURT, carposEnabled: true });
  clerk = await provisionUser(api, COURT.ori, { userId: 'clerk', roles: ['QUERY_UPDATE'], cletsCertified: true });
  await startWorker();
}, 90_000);
afterAll(async () => {
  await worker?.stop();
  await api?.app.close();
  await simulator?.stop();
  if (redis) await stopRedis();
  await db?.drop();
});

let people = 0;
/** Orders sent to CARPOS, each for a new person so DOJ never sees a duplicate. */
async function addOrders(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const lastName = `Resilient${String.fromCharCode(65 + (people % 26))}${++people}`;
    const data = orderData(COURT, { restrainedPerson: { lastName, firstName: 'Pat', dateOfBirth: '1980-01-01', sex: 'M', race: 'W', aliases: [] } });
    ids.push((await addOrder(api, clerk, data, true)).orderId);
  }
  return ids;
}

/** Every order has its one answer, recorded once; DOJ applied each TCN once. Returns the TCNs. */
async function expectEachAnsweredOnce(orderIds: string[], timeoutMs = 40_000): Promise<string[]> {
  const tcns = await eventually(
    async () => {
      const answers = await Promise.all(
        orderIds.map(async (id) => (await store.readStream(`order-${id}`)).filter((e) => e.type.startsWith('CarposTransaction'))),
      );
      if (answers.some((list) => list.length === 0)) return undefined;
      for (const list of answers) expect(list).toHaveLength(1);
      return answers.map(([answer]) => answer.data.tcn as string);
    },
    `answers for ${orderIds.length} orders`,
    timeoutMs,
  ).catch((error: Error) => {
    // What the worker process logged is what explains a transaction that never came back.
    error.message += `\n--- the worker process said (last 4000 characters):\n${worker?.output().slice(-4000)}`;
    throw error;
  });
  const applied = (await simulator.stats()).applied.filter((entry) => tcns.includes(entry.tcn));
  expect(applied.map((entry) => entry.tcn).sort()).toEqual([...tcns].sort());
  expect(applied.every((entry) => entry.accepted)).toBe(true);
  return tcns;
}

const QUEUE = `{ carposQueue { pending waiting active delayed failed failedTransactions { tcn orderId transactionType attemptsMade reason failedAt } } }`;

describe('the CARPOS gateway under failure', () => {
  it('a worker killed mid-send: after a restart every transaction reaches DOJ exactly once and every answer is recorded once', async () => {
    await simulator.control({ latencyMs: 400 });
    const before = (await simulator.stats()).received;
    const orders = await addOrders(8);
    await eventually(async () => ((await simulator.stats()).received >= before + 2 ? true : undefined), 'DOJ to receive the first transactions');
    await worker!.kill();
    await startWorker();
    await expectEachAnsweredOnce(orders);
    await simulator.control({ latencyMs: 0 });
  }, 60_000);

  it('DOJ applies a transaction but its answer is lost: the same TCN is sent again and answered as before', async () => {
    await simulator.control({ lostAnswerRate: 1 });
    const before = await simulator.stats();
    const orders = await addOrders(3);
    // DOJ has applied all three, and the gateway heard nothing back.
    await eventually(async () => ((await simulator.stats()).applied.length >= before.applied.length + 3 ? true : undefined), 'DOJ to apply three');
    await simulator.control({ lostAnswerRate: 0 });
    await expectEachAnsweredOnce(orders);
    const after = await simulator.stats();
    expect(after.received - before.received).toBeGreaterThan(3); // sent again …
    expect(after.applied.length - before.applied.length).toBe(3); // … and applied once
  }, 60_000);

  it('DOJ down for a while: transactions wait and retry with backoff, then all go through, none lost', async () => {
    await simulator.control({ outage: true });
    const orders = await addOrders(5);
    const queued = await eventually(async () => {
      const status = (await api.post(QUEUE, {}, sysadmin)).data?.carposQueue;
      return status && status.pending === 5 && status.delayed + status.waiting + status.active === 5 ? status : undefined;
    }, 'five transactions waiting for DOJ');
    expect(queued.failed).toBe(0);
    // The court's Aging Report counts them as waiting since today.
    const aging = await api.post(
      `query ($court: String) { reports { aging(court: $court) { sections { name buckets { label count } } } } }`,
      { court: COURT.ori },
      sysadmin,
    );
    const pending = aging.data!.reports.aging.sections.find((s: { name: string }) => s.name === 'pendingCarposTransactionsByAge');
    expect(pending.buckets).toEqual([
      { label: 'today', count: 5 },
      { label: '1-2 days', count: 0 },
      { label: '3-7 days', count: 0 },
      { label: 'over 7 days', count: 0 },
    ]);
    await simulator.control({ outage: false });
    await expectEachAnsweredOnce(orders);
  }, 60_000);

  it('Redis restarted without persistence while transactions are queued: they are enqueued again from the registry’s own record', async () => {
    await simulator.control({ outage: true });
    const orders = await addOrders(4);
    await eventually(async () => {
      const status = (await api.post(QUEUE, {}, sysadmin)).data?.carposQueue;
      return status && status.delayed + status.waiting + status.active === 4 ? true : undefined;
    }, 'four transactions queued in Redis');
    await stopRedis();
    await startRedis();
    await simulator.control({ outage: false });
    await expectEachAnsweredOnce(orders);
  }, 90_000);

  it('a transaction out of tries is failed with its reason for operations, and goes through when retried', async () => {
    await worker!.stop();
    await startWorker({ CARPOS_ATTEMPTS: '2', CARPOS_BACKOFF_MS: '50' });
    await simulator.control({ outage: true });
    const [orderId] = await addOrders(1);
    const failed = await eventually(async () => {
      const status = (await api.post(QUEUE, {}, sysadmin)).data?.carposQueue;
      return status?.failedTransactions.find((job: { orderId: string }) => job.orderId === orderId);
    }, 'the failed transaction');
    expect(failed).toMatchObject({ transactionType: 'ENTER', attemptsMade: 2, reason: expect.stringMatching(/HTTP 503/) });
    const refused = await api.post(`mutation ($tcn: String!) { retryCarposTransaction(tcn: $tcn) }`, { tcn: failed.tcn }, clerk);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await simulator.control({ outage: false });
    const retried = await api.post(`mutation ($tcn: String!) { retryCarposTransaction(tcn: $tcn) }`, { tcn: failed.tcn }, sysadmin);
    expect(retried).toEqual({ data: { retryCarposTransaction: true } });
    await expectEachAnsweredOnce([orderId]);
  }, 60_000);
});
