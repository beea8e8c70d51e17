import { EVENT_STORE } from '../../src/app/infrastructure.module';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { Api, codes, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { eventually, Simulator, startSimulator } from '../support/processes';

/**
 * The CARPOS gateway end to end: the app (api, projector and carpos-worker in one process) on
 * the real PostgreSQL and Redis, talking to the DOJ simulator process over its wire protocol.
 */

const COURT = { county: 'Alameda', ori: 'CA010015J' };
const NO_CARPOS_COURT = { county: 'Alpine', ori: 'CA020015J' };

let db: TestDatabase;
let simulator: Simulator;
let api: Api;
let store: EventStore;
const token: Record<string, string> = {};

/** api, projector and carpos-worker in one process, talking to the current simulator. */
const appEnv = () => ({
  PROCESSES: 'api,projector,carpos-worker',
  DOJ_GATEWAY_URL: simulator.url,
  DOJ_TIMEOUT_MS: '1000',
  CARPOS_QUEUE: `carpos-${db.schema}`,
  CARPOS_BACKOFF_MS: '100',
  CARPOS_ATTEMPTS: '1000',
  CARPOS_RELAY_MS: '50',
});

beforeAll(async () => {
  db = await createTestDatabase(4);
  simulator = await startSimulator();
  api = await startApi(db, { env: appEnv() });
  store = api.app.get(EVENT_STORE);
  token.sysadmin = await tokenOf(api);
  await provisionOrganisation(api, token.sysadmin, { ...COURT, carposEnabled: true });
  await provisionOrganisation(api, token.sysadmin, { ...NO_CARPOS_COURT, carposEnabled: false });
  token.clerk = await provisionUser(api, COURT.ori, { userId: 'clerk', roles: ['QUERY_UPDATE_SEALED'], cletsCertified: true });
  token.qo = await provisionUser(api, COURT.ori, { userId: 'qo-user', roles: ['QUERY_ONLY'] });
  token.clerkB = await provisionUser(api, NO_CARPOS_COURT.ori, { userId: 'clerkb', roles: ['QUERY_UPDATE'] });
}, 60_000);
afterAll(async () => {
  await api?.app.close();
  await simulator?.stop();
  await db?.drop();
});

const answersOf = async (orderId: string): Promise<RecordedEvent[]> =>
  (await store.readStream(`order-${orderId}`)).filter((event) => event.type.startsWith('CarposTransaction'));

/** Waits until the order has `count` DOJ answers in its history. */
const answered = (orderId: string, count: number) =>
  eventually(async () => {
    const answers = await answersOf(orderId);
    return answers.length >= count ? answers : undefined;
  }, `${count} DOJ answers on order ${orderId}`);

const uniquePerson = (lastName: string) => ({ lastName, firstName: 'Pat', dateOfBirth: '1980-01-01', sex: 'M' as const, race: 'W' as const, aliases: [] });

const MESSAGES = `query ($outcome: String, $orderId: ID) { carposMessages(outcome: $outcome, orderId: $orderId) {
  tcn orderId caseNumber courtOri transactionType accepted fcn code message inputEcho answeredAt } }`;

describe('each transaction type reaches DOJ, in order, and DOJ’s answers become events', () => {
  it('ENTER, MODIFY, SERVICE and CANCEL issued in quick succession arrive in order, each after the ENTER with its FCN', async () => {
    const { orderId } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Sequence') }), true);
    // No waiting between the commands: the gateway must hold them back until the ENTER's FCN is known.
    resultOf(await mutate(api, token.clerk, 'modify', { orderId, patch: { restrainedPerson: { weight: 190 } } }));
    resultOf(await mutate(api, token.clerk, 'modify', { orderId, patch: { judge: 'Hon. Not For DOJ' } }));
    resultOf(await mutate(api, token.clerk, 'serve', { orderId, service: { servedAt: api.clock.now().toISOString(), method: 'PERSONAL', servedBy: 'Deputy Garcia', agency: 'CA0010000' } }));
    resultOf(await mutate(api, token.clerk, 'cancel', { orderId, reason: 'TERMINATED_BY_COURT' }));

    const answers = await answered(orderId, 4);
    expect(answers.map((a) => [a.type, a.data.transactionType])).toEqual([
      ['CarposTransactionAccepted', 'ENTER'],
      ['CarposTransactionAccepted', 'MODIFY'],
      ['CarposTransactionAccepted', 'SERVICE'],
      ['CarposTransactionAccepted', 'CANCEL'],
    ]);
    const fcn = answers[0].data.fcn as string;
    expect(fcn).toMatch(/^010\d{10}$/);
    expect(answers.every((a) => a.data.fcn === fcn)).toBe(true);
    // DOJ saw them in that order, and the judge's change (not DOJ data) was not sent.
    const tcns = answers.map((a) => a.data.tcn);
    const applied = (await simulator.stats()).applied.filter((entry) => tcns.includes(entry.tcn));
    expect(applied.map((entry) => entry.type)).toEqual(['ENTER', 'MODIFY', 'SERVICE', 'CANCEL']);
    expect(answers.every((a) => a.metadata.actorUserId === 'system:carpos-worker')).toBe(true);
  });

  it('the order detail shows the FCN and DOJ’s last answer to CLETS-certified users', async () => {
    const { orderId } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Detail') }), true);
    const [accepted] = await answered(orderId, 1);
    const query = `query ($id: ID!, $wait: String) { order(id: $id, waitForPosition: $wait) { ... on Order { carpos { submitted fcn lastAnswer { accepted transactionType tcn } } } } }`;
    const position = accepted.position.toString();
    const seen = await api.post(query, { id: orderId, wait: position }, token.clerk);
    expect(seen.data!.order.carpos).toEqual({ submitted: true, fcn: accepted.data.fcn, lastAnswer: { accepted: true, transactionType: 'ENTER', tcn: accepted.data.tcn } });
    const notClets = await api.post(query, { id: orderId, wait: position }, token.qo);
    expect(notClets.data!.order.carpos).toEqual({ submitted: true, fcn: null, lastAnswer: null });
  });

  it('nothing is sent for an order not submitted to CARPOS, or of a court without CARPOS', async () => {
    const before = (await simulator.stats()).received;
    const own = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Unsent') }), false);
    const other = await addOrder(api, token.clerkB, orderData(NO_CARPOS_COURT, { restrainedPerson: uniquePerson('Elsewhere') }), true);
    // A sent order after them is answered; by then theirs would have been too.
    const { orderId } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Marker') }), true);
    await answered(orderId, 1);
    expect(await answersOf(own.orderId)).toEqual([]);
    expect(await answersOf(other.orderId)).toEqual([]);
    expect((await simulator.stats()).received).toBe(before + 1);
  });
});

describe('DOJ’s rejections', () => {
  it('REJECT ON FILE for a duplicate entry: an event and a CARPOS message with the code and the echo; later changes are not sent', async () => {
    const data = orderData(COURT, { restrainedPerson: uniquePerson('Duplicate') });
    const first = await addOrder(api, token.clerk, data, true);
    await answered(first.orderId, 1);
    const second = await addOrder(api, token.clerk, data, true);
    const [rejected] = await answered(second.orderId, 1);
    expect(rejected.type).toBe('CarposTransactionRejected');
    expect(rejected.data).toMatchObject({ transactionType: 'ENTER', code: 'REJECT ON FILE' });
    expect((rejected.data.inputEcho as string).length).toBe(100);

    const messages = await eventually(async () => {
      const body = await api.post(MESSAGES, { outcome: 'REJECTED', orderId: second.orderId }, token.clerk);
      return body.data?.carposMessages.length ? body.data.carposMessages : undefined;
    }, 'the rejection in CARPOS messages');
    expect(messages).toEqual([
      expect.objectContaining({ tcn: rejected.data.tcn, accepted: false, code: 'REJECT ON FILE', transactionType: 'ENTER', courtOri: COURT.ori, caseNumber: data.caseNumber }),
    ]);
    expect(messages[0].inputEcho).toBe(rejected.data.inputEcho);

    // DOJ holds no record of the second order: its modification goes nowhere.
    const received = (await simulator.stats()).received;
    resultOf(await mutate(api, token.clerk, 'modify', { orderId: second.orderId, patch: { restrainedPerson: { weight: 150 } } }));
    const { orderId: marker } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('AfterVoid') }), true);
    await answered(marker, 1);
    expect((await simulator.stats()).received).toBe(received + 1);
    expect(await answersOf(second.orderId)).toHaveLength(1);
  });

  it('NOT ON FILE when DOJ does not know the FCN (its file was lost): recorded as a rejected MODIFY', async () => {
    const { orderId } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Forgotten') }), true);
    await answered(orderId, 1);
    // A fresh simulator has an empty file; the gateway now talks to it.
    const url = simulator.url;
    await simulator.stop();
    simulator = await startSimulator();
    await api.app.close();
    api = await startApi(db, { env: { ...appEnv(), BOOTSTRAP_ADMIN_USER_ID: api.adminId } });
    store = api.app.get(EVENT_STORE);
    expect(simulator.url).not.toBe(url);
    token.clerk = await tokenOf(api, 'clerk');
    resultOf(await mutate(api, token.clerk, 'modify', { orderId, patch: { restrainedPerson: { weight: 151 } } }));
    const [, notOnFile] = await answered(orderId, 2);
    expect(notOnFile).toMatchObject({ type: 'CarposTransactionRejected', data: { transactionType: 'MODIFY', code: 'NOT ON FILE' } });
  });

  it('CARPOS messages filter by court, answer time and outcome', async () => {
    const { orderId } = await addOrder(api, token.clerk, orderData(COURT, { restrainedPerson: uniquePerson('Filtered') }), true);
    const [answer] = await answered(orderId, 1);
    const query = `query ($courts: [String!], $from: String, $to: String, $outcome: String) {
      carposMessages(courtOris: $courts, from: $from, to: $to, outcome: $outcome) { tcn } }`;
    const tcns = async (variables: Record<string, unknown>) =>
      eventually(async () => (await api.post(query, variables, token.clerk)).data?.carposMessages.map((m: { tcn: string }) => m.tcn), 'messages');
    const at = answer.metadata.occurredAt;
    await eventually(async () => ((await tcns({ courts: [COURT.ori] })).includes(answer.data.tcn) ? true : undefined), 'the answer listed');
    expect(await tcns({ courts: [NO_CARPOS_COURT.ori] })).toEqual([]);
    expect(await tcns({ from: at, outcome: 'ACCEPTED' })).toContain(answer.data.tcn);
    expect(await tcns({ from: new Date(Date.parse(at) + 1).toISOString() })).not.toContain(answer.data.tcn);
    expect(await tcns({ to: at })).not.toContain(answer.data.tcn);
    expect(await tcns({ outcome: 'REJECTED' })).not.toContain(answer.data.tcn);
    const bad = await api.post(query, { courts: ['not-an-ori'] }, token.clerk);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'courtOris' });
  });

  it('CARPOS messages are for CLETS-certified users only', async () => {
    expect(codes(await api.post(MESSAGES, {}, await tokenOf(api, 'qo-user')))).toEqual(['FORBIDDEN']);
    expect(codes(await api.post(MESSAGES, {}))).toEqual(['UNAUTHENTICATED']);
  });
});
