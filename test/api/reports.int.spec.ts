import { Queue, QueueEvents } from 'bullmq';
import type { Role } from '../../src/access/access-policy';
import { loadConfig } from '../../src/config/config';
import { bullConnection } from '../../src/queue/bull-connection';
import { EXPIRE_ORDERS_JOB, SCHEDULES, SNAPSHOT_REPORTS_JOB } from '../../src/scheduler/scheduler.service';
import { Api, codes, GraphqlBody, startApi, TestClock, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, QUERIES, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';

/**
 * Reports over GraphQL and as CSV downloads, through the policy, and the scheduler's jobs going
 * through BullMQ on the real Redis: the nightly expiry, and the monthly snapshot made once.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };
// Thursday 15 October 2026, 10:00 in Los Angeles.
const START = '2026-10-15T17:00:00.000Z';
const DAY = 86_400_000;

let db: TestDatabase;
let api: Api;
let queue: Queue;
let queueEvents: QueueEvents;
const token: Record<string, string> = {};
const users: Record<string, { org: string; roles: Role[] }> = {
  clerkA: { org: COURT_A.ori, roles: ['QUERY_UPDATE_SEALED'] },
  qoA: { org: COURT_A.ori, roles: ['QUERY_ONLY'] },
  clerkB: { org: COURT_B.ori, roles: ['QUERY_UPDATE'] },
};
/** The position of the last order mutation, for read-your-writes. */
let position: string;
let expiring: string;

/** Sessions idle out after 30 minutes: after the clock moves by days, everyone logs in again. */
async function logInEveryone(): Promise<void> {
  for (const name of Object.keys(users)) token[name] = await tokenOf(api, name.toLowerCase());
  token.adminA = await tokenOf(api, `admin-${COURT_A.ori.toLowerCase()}`);
  token.sysadmin = await tokenOf(api);
}

beforeAll(async () => {
  db = await createTestDatabase(2);
  // A queue of this suite's own, so that test runs never take each other's jobs.
  const queueName = `scheduler-${db.schema}`;
  api = await startApi(db, { env: { PROCESSES: 'api,projector,scheduler', SCHEDULER_QUEUE: queueName }, clock: new TestClock(START) });
  const connection = bullConnection(loadConfig({}).REDIS_URL);
  queue = new Queue(queueName, { connection });
  queueEvents = new QueueEvents(queueName, { connection });
  await queueEvents.waitUntilReady();
  const sysadmin = await tokenOf(api);
  for (const court of [COURT_A, COURT_B]) await provisionOrganisation(api, sysadmin, { ...court, kind: 'SUPERIOR_COURT' });
  for (const [name, user] of Object.entries(users)) await provisionUser(api, user.org, { userId: name.toLowerCase(), roles: user.roles });
  await logInEveryone();

  // Court A: an order in force through 20 October, one without an end date, and a draft; court B: one order.
  expiring = (await addOrder(api, token.clerkA, orderData(COURT_A, { caseNumber: 'RPT-EXPIRING', expirationDate: '2026-10-20' }))).orderId;
  const { expirationDate: _, ...open } = orderData(COURT_A, { caseNumber: 'RPT-OPEN', orderType: 'CH-110' });
  await addOrder(api, token.clerkA, open);
  resultOf(await mutate(api, token.clerkA, 'draft', { data: { court: COURT_A, orderType: 'DV-110', caseNumber: 'RPT-DRAFT' } }));
  position = (await addOrder(api, token.clerkB, orderData(COURT_B, { caseNumber: 'RPT-B' }))).position;
}, 60_000);
afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queueEvents?.close();
  await queue?.close();
  await api?.app.close();
  await db.drop();
});

const REPORTS = `query ($court: String, $month: String!, $wait: String) {
  reports(waitForPosition: $wait) {
    volumeSummary(court: $court, month: $month) { court county month drafted added expired submittedToCarpos }
    ordersByType(court: $court, month: $month) { rows { orderType added activeAtMonthEnd } }
    totalRecordCount(court: $court, month: $month) { asOfDate draft active expired total }
    orderCountByUser(court: $court, month: $month) { rows { userId organisation drafted added total } }
    aging(court: $court) { asOfDate sections { name title buckets { label fromDays toDays count } } }
  }
}`;
const VOLUME = `query ($court: String, $month: String!) { reports { volumeSummary(court: $court, month: $month) { court added } } }`;
const SNAPSHOTS = `query ($court: String, $month: String) {
  reports { snapshots(court: $court, month: $month) { court month takenAt volumeSummary { added expired } totalRecordCount { active expired } aging { asOfDate } } }
}`;

async function download(path: string, bearer?: string): Promise<{ status: number; type: string | null; disposition: string | null; body: string }> {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const body = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), body };
}

/** A job put on the scheduler's queue, as its repeatable schedule does, and its result once a worker ran it. */
async function runJob(name: string): Promise<any> {
  const job = await queue.add(name, {});
  return job.waitUntilFinished(queueEvents, 30_000);
}

const errorOf = (body: GraphqlBody) => ({ code: body.errors?.[0]?.extensions?.code, field: body.errors?.[0]?.extensions?.field });

describe('reports over GraphQL', () => {
  it('gives a court user the own court’s reports of the month so far', async () => {
    const body = await api.post(REPORTS, { month: '2026-10', wait: position }, token.qoA);
    expect(body.errors).toBeUndefined();
    const reports = body.data!.reports;
    expect(reports.volumeSummary).toEqual({ court: COURT_A.ori, county: 'Alameda', month: '2026-10', drafted: 1, added: 2, expired: 0, submittedToCarpos: 0 });
    expect(reports.ordersByType.rows).toHaveLength(17);
    expect(reports.ordersByType.rows.filter((row: { added: number }) => row.added > 0)).toEqual([
      { orderType: 'DV-110', added: 1, activeAtMonthEnd: 1 },
      { orderType: 'CH-110', added: 1, activeAtMonthEnd: 1 },
    ]);
    expect(reports.totalRecordCount).toEqual({ asOfDate: '2026-10-31', draft: 1, active: 2, expired: 0, total: 3 });
    expect(reports.orderCountByUser.rows).toEqual([{ userId: 'clerka', organisation: COURT_A.ori, drafted: 1, added: 2, total: 3 }]);
    expect(reports.aging.asOfDate).toBe('2026-10-15');
    const [expiry, drafts] = reports.aging.sections;
    expect(expiry.buckets.filter((b: { count: number }) => b.count > 0)).toEqual([
      { label: '0-30 days', fromDays: 0, toDays: 30, count: 1 },
      { label: 'no expiration date', fromDays: null, toDays: null, count: 1 },
    ]);
    expect(drafts).toMatchObject({ name: 'draftsByAge', title: 'Drafts by age', buckets: [{ label: '0-7 days', count: 1 }, { count: 0 }, { count: 0 }, { count: 0 }] });
  });

  it('lets the court’s administrator and the registry operator see it, and no one else', async () => {
    const volume = async (who: string, court?: string) => api.post(VOLUME, { court, month: '2026-10' }, token[who]);
    expect((await volume('adminA')).data!.reports.volumeSummary).toEqual({ court: COURT_A.ori, added: 2 });
    expect((await volume('sysadmin', COURT_B.ori)).data!.reports.volumeSummary).toEqual({ court: COURT_B.ori, added: 1 });
    expect((await volume('clerkB')).data!.reports.volumeSummary).toEqual({ court: COURT_B.ori, added: 1 });
    const refused = await volume('qoA', COURT_B.ori);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.data).toBeNull();
    expect(codes(await api.post(VOLUME, { month: '2026-10' }))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a malformed month, a future month and a malformed court, naming the field', async () => {
    expect(errorOf(await api.post(VOLUME, { month: '2026-13' }, token.qoA))).toEqual({ code: 'BAD_USER_INPUT', field: 'month' });
    expect(errorOf(await api.post(VOLUME, { month: '2026-11' }, token.qoA))).toEqual({ code: 'BAD_USER_INPUT', field: 'month' });
    expect(errorOf(await api.post(VOLUME, { month: '2026-10', court: 'CA01' }, token.qoA))).toEqual({ code: 'BAD_USER_INPUT', field: 'court' });
  });
});

describe('reports as CSV', () => {
  it('downloads a report with the bearer session, one line per row, court and period on every line', async () => {
    const file = await download('/reports/volume-summary.csv?month=2026-10', token.qoA);
    expect(file).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8', disposition: 'attachment; filename=volume-summary-CA010015J-2026-10.csv' });
    expect(file.body.trim().split('\n')).toEqual([
      'court,county,month,drafted,added,cloned,modified,served,cancelled,expired,sealed,unsealed,images_attached,submitted_to_carpos',
      'CA010015J,Alameda,2026-10,1,2,0,0,0,0,0,0,0,0,0',
    ]);
    const byType = (await download(`/reports/orders-by-type.csv?court=${COURT_A.ori}&month=2026-10`, token.clerkA)).body.trim().split('\n');
    expect(byType).toHaveLength(18);
    expect(byType).toContain('CA010015J,Alameda,2026-10,CH-110,1,0,0,0,1');
    const aging = (await download('/reports/aging.csv', token.adminA)).body.trim().split('\n');
    expect(aging[0]).toBe('court,county,as_of_date,section,bucket,from_days,to_days,count');
    expect(aging).toContain('CA010015J,Alameda,2026-10-15,activeOrdersByTimeToExpiry,expiration date passed,,-1,0');
    expect(aging).toContain('CA010015J,Alameda,2026-10-15,draftsByAge,0-7 days,0,7,1');
  });

  it('answers 401 without a session, 403 for another court, 400 for a bad month and 404 for an unknown report', async () => {
    const unauthenticated = await download('/reports/volume-summary.csv?month=2026-10');
    expect(unauthenticated.status).toBe(401);
    expect(JSON.parse(unauthenticated.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
    const otherCourt = await download(`/reports/volume-summary.csv?court=${COURT_B.ori}&month=2026-10`, token.qoA);
    expect(otherCourt.status).toBe(403);
    expect(JSON.parse(otherCourt.body)).toMatchObject({ code: 'FORBIDDEN', rule: 'access.own_organisation_only' });
    const badMonth = await download('/reports/total-record-count.csv?month=October', token.qoA);
    expect(badMonth.status).toBe(400);
    expect(JSON.parse(badMonth.body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
    expect((await download('/reports/total-record-count.csv', token.qoA)).status).toBe(400);
    expect((await download('/reports/everything.csv?month=2026-10', token.qoA)).status).toBe(404);
  });
});

describe('the scheduler, through BullMQ on Redis', () => {
  it('registers its two repeatable jobs in court time', async () => {
    let schedulers: Awaited<ReturnType<Queue['getJobSchedulers']>> = [];
    for (let tries = 0; tries < 100 && schedulers.length < 2; tries++) {
      schedulers = await queue.getJobSchedulers();
      if (schedulers.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(schedulers.map(({ key, pattern, tz }) => ({ key, pattern, tz })).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: EXPIRE_ORDERS_JOB, pattern: SCHEDULES[EXPIRE_ORDERS_JOB], tz: 'America/Los_Angeles' },
      { key: SNAPSHOT_REPORTS_JOB, pattern: SCHEDULES[SNAPSHOT_REPORTS_JOB], tz: 'America/Los_Angeles' },
    ]);
  });

  it('expires an order the night after its expiration date, and search then tells it from active ones', async () => {
    // 20 October, 23:00 in Los Angeles: the last day the order is in force.
    api.clock.advance(Date.parse('2026-10-21T06:00:00Z') - api.clock.now().getTime());
    expect(await runJob(EXPIRE_ORDERS_JOB)).toEqual({ asOfDate: '2026-10-20', expired: 0, skipped: 0 });
    // 21 October, 00:05.
    api.clock.advance(Date.parse('2026-10-21T07:05:00Z') - api.clock.now().getTime());
    expect(await runJob(EXPIRE_ORDERS_JOB)).toEqual({ asOfDate: '2026-10-21', expired: 1, skipped: 0 });
    await logInEveryone();

    const search = async (statuses: string[]) => {
      const body = await api.post(QUERIES.search, { criteria: { caseNumber: 'RPT-%', statuses } }, token.qoA);
      return body.data!.searchOrders.items.map((item: { caseNumber: string }) => item.caseNumber);
    };
    const settled = async () => (await search(['EXPIRED'])).length === 1;
    for (let tries = 0; tries < 100 && !(await settled()); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await search(['EXPIRED'])).toEqual(['RPT-EXPIRING']);
    expect(await search(['ACTIVE'])).toEqual(expect.arrayContaining(['RPT-OPEN', 'RPT-B']));
    expect(await search(['ACTIVE'])).not.toContain('RPT-EXPIRING');
    const order = await api.post(QUERIES.order, { id: expiring }, token.qoA);
    expect(order.data!.order.status).toBe('EXPIRED');
  });

  it('takes October’s snapshot on 1 November once, lists it, and serves it as CSV', async () => {
    // 1 November 2026, 00:15 in Los Angeles.
    api.clock.advance(Date.parse('2026-11-01T07:15:00Z') - api.clock.now().getTime());
    expect(await runJob(SNAPSHOT_REPORTS_JOB)).toEqual({ month: '2026-10', created: [COURT_A.ori, COURT_B.ori], existing: [] });
    api.clock.advance(DAY / 24);
    expect(await runJob(SNAPSHOT_REPORTS_JOB)).toEqual({ month: '2026-10', created: [], existing: [COURT_A.ori, COURT_B.ori] });
    await logInEveryone();

    const listed = await api.post(SNAPSHOTS, {}, token.qoA);
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.reports.snapshots).toEqual([
      {
        court: COURT_A.ori,
        month: '2026-10',
        takenAt: '2026-11-01T07:15:00.000Z',
        volumeSummary: { added: 2, expired: 1 },
        totalRecordCount: { active: 1, expired: 1 },
        aging: { asOfDate: '2026-11-01' },
      },
    ]);
    expect(codes(await api.post(SNAPSHOTS, { court: COURT_B.ori }, token.qoA))).toEqual(['FORBIDDEN']);
    expect((await api.post(SNAPSHOTS, { court: COURT_B.ori, month: '2026-09' }, token.sysadmin)).data!.reports.snapshots).toEqual([]);

    const file = await download('/reports/total-record-count.csv?month=2026-10&snapshot=true', token.qoA);
    expect(file.status).toBe(200);
    expect(file.disposition).toBe('attachment; filename=total-record-count-CA010015J-2026-10-snapshot.csv');
    expect(file.body.trim().split('\n')[1]).toBe('CA010015J,Alameda,2026-10,2026-10-31,1,1,0,1,3');
    expect((await download('/reports/aging.csv?month=2026-10&snapshot=true', token.qoA)).body).toContain('CA010015J,Alameda,2026-11-01,');
    expect((await download('/reports/aging.csv?month=2026-09&snapshot=true', token.qoA)).status).toBe(404);
  });
});
