import type { Role } from '../../src/access/access-policy';
import { Api, codes, MINUTE, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, QUERIES, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { uploaded } from '../images/image-api';
import { pdf } from '../images/image-fixtures';

/**
 * Every order mutation and query over HTTP against the running app (api + projector) on the
 * real PostgreSQL: success, each kind of refusal, idempotency, read-your-writes, conflicts
 * between two clerks, locks, and the access log of reads.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };

let db: TestDatabase;
let api: Api;
const token: Record<string, string> = {};

const users: Record<string, { org: string; roles: Role[]; cletsCertified?: boolean }> = {
  clerkA: { org: COURT_A.ori, roles: ['QUERY_UPDATE_SEALED'], cletsCertified: true },
  quA: { org: COURT_A.ori, roles: ['QUERY_UPDATE'] },
  qoA: { org: COURT_A.ori, roles: ['QUERY_ONLY'] },
  clerkB: { org: COURT_B.ori, roles: ['QUERY_UPDATE_SEALED'] },
};

beforeAll(async () => {
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { PROCESSES: 'api,projector' } });
  const sysadmin = await tokenOf(api);
  for (const court of [COURT_A, COURT_B]) await provisionOrganisation(api, sysadmin, { ...court, kind: 'SUPERIOR_COURT' });
  for (const [name, user] of Object.entries(users)) {
    token[name] = await provisionUser(api, user.org, { userId: name.toLowerCase(), roles: user.roles, cletsCertified: user.cletsCertified });
  }
  token.adminA = await tokenOf(api, `admin-${COURT_A.ori.toLowerCase()}`);
}, 60_000);
afterAll(async () => {
  await api?.app.close();
  await db.drop();
});

const servedNow = () => ({ servedAt: api.clock.now().toISOString(), method: 'PERSONAL', servedBy: 'Deputy Garcia', agency: 'CA0010000' });

describe('an order’s life over GraphQL', () => {
  it('draft → add from draft → modify → serve → lock → unlock → cancel, each answering the order and its position', async () => {
    const data = orderData(COURT_A, { restrainedPerson: { lastName: 'Lifecycle', firstName: 'Larry', dateOfBirth: '1980-05-05', sex: 'M', race: 'W', aliases: [] } });
    const drafted = resultOf(await mutate(api, token.quA, 'draft', { data: { court: COURT_A, orderType: 'DV-110', caseNumber: data.caseNumber } }));
    expect(drafted).toMatchObject({ revision: 0, replayed: false, order: { __typename: 'Order', status: 'DRAFT', data: { caseNumber: data.caseNumber } } });
    const id = drafted.orderId;

    const added = resultOf(await mutate(api, token.quA, 'add', { orderId: id, data, carpos: true, rev: 0 }));
    expect(added).toMatchObject({ orderId: id, revision: 1, order: { status: 'ACTIVE', carpos: { submitted: true } } });
    expect(BigInt(added.position)).toBeGreaterThan(BigInt(drafted.position));

    const modified = resultOf(await mutate(api, token.quA, 'modify', { orderId: id, patch: { judge: 'Hon. B. Jones', hearingDate: null }, rev: 1 }));
    expect(modified.order!.data.judge).toBe('Hon. B. Jones');
    const served = resultOf(await mutate(api, token.clerkA, 'serve', { orderId: id, service: servedNow() }));
    expect(served.order!.services).toEqual([expect.objectContaining({ method: 'PERSONAL', servedBy: 'Deputy Garcia' })]);
    const locked = resultOf(await mutate(api, token.quA, 'lock', { orderId: id, minutes: 10 }));
    expect(locked.order!.lock).toMatchObject({ holder: 'qua', organisation: COURT_A.ori });
    expect(resultOf(await mutate(api, token.quA, 'unlock', { orderId: id })).order!.lock).toBeNull();
    const cancelled = resultOf(await mutate(api, token.quA, 'cancel', { orderId: id, reason: 'OTHER', text: 'Dismissed at hearing' }));
    expect(cancelled.order).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'OTHER', reasonText: 'Dismissed at hearing' }, revision: 6 });

    // Read-your-writes: the history is complete as soon as the read models reach the last position.
    const history = await api.post(QUERIES.history, { id, wait: cancelled.position }, token.qoA);
    expect(history.errors).toBeUndefined();
    const entries = history.data!.orderHistory as any[];
    expect(entries.map((e) => e.type)).toEqual([
      'OrderDrafted', 'OrderAdded', 'OrderModified', 'OrderServed', 'OrderLocked', 'OrderUnlocked', 'OrderCancelled',
    ]);
    expect(entries[2].changes).toEqual(
      expect.arrayContaining([{ field: 'judge', before: JSON.stringify('Hon. A. Smith'), after: JSON.stringify('Hon. B. Jones') }]),
    );
    expect(entries[3].actor).toEqual({ userId: 'clerka', organisation: COURT_A.ori, role: 'QUERY_UPDATE_SEALED' });

    const asOfDraft = await api.post(QUERIES.asOf, { id, revision: 0 }, token.qoA);
    expect(asOfDraft.data!.orderAsOf).toMatchObject({ status: 'DRAFT', revision: 0 });
    const asOfAdded = await api.post(QUERIES.asOf, { id, revision: 1 }, token.qoA);
    expect(asOfAdded.data!.orderAsOf).toMatchObject({ status: 'ACTIVE', data: { judge: 'Hon. A. Smith' } });
    const asOfNow = await api.post(QUERIES.asOf, { id, at: new Date(Date.now() + MINUTE).toISOString() }, token.qoA);
    expect(asOfNow.data!.orderAsOf).toMatchObject({ status: 'CANCELLED', revision: 6 });
    expect(codes(await api.post(QUERIES.asOf, { id }, token.qoA))).toEqual(['BAD_USER_INPUT']);

    const found = await api.post(QUERIES.search, { criteria: { lastName: 'LIFECYC%', statuses: ['CANCELLED'] } }, token.qoA);
    expect(found.data!.searchOrders).toMatchObject({ totalCount: 1, totalCountIsExact: true, page: 1, pageCount: 1, next: null, last: 1, items: [{ orderId: id, status: 'CANCELLED' }] });
  });

  it('the same idempotency key acts once: the retry answers the first result and appends nothing', async () => {
    const data = orderData(COURT_A);
    const first = resultOf(await api.post(mutationAdd, { key: 'retry-1', data, carpos: false }, token.quA));
    const retry = resultOf(await api.post(mutationAdd, { key: 'retry-1', data, carpos: false }, token.quA));
    expect(retry).toMatchObject({ orderId: first.orderId, revision: 0, position: first.position, replayed: true });
    // Another user's identical key is theirs alone: a new order, never the first user's replay.
    const other = resultOf(await api.post(mutationAdd, { key: 'retry-1', data, carpos: false }, token.clerkA));
    expect(other.orderId).not.toBe(first.orderId);
    expect(other.replayed).toBe(false);
  });

  it('clones an order of another court into a new ACTIVE order of the own court', async () => {
    const source = await addOrder(api, token.clerkB, orderData(COURT_B));
    const clone = resultOf(await mutate(api, token.quA, 'clone', { source: source.orderId, overrides: { court: COURT_A, expirationDate: '2030-01-01' } }));
    expect(clone.orderId).not.toBe(source.orderId);
    expect(clone.order).toMatchObject({ status: 'ACTIVE', clonedFrom: source.orderId, data: { court: COURT_A, expirationDate: '2030-01-01' } });
    // Without overrides the copy would belong to court B, which user A may not enter orders for.
    const refused = await mutate(api, token.quA, 'clone', { source: source.orderId });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'order.court.own_organisation_only' });
  });

  it('seal and unseal: only QUERY_UPDATE_SEALED of the originating court; a sealed order vanishes for everyone else', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    expect(codes(await mutate(api, token.clerkB, 'seal', { orderId }))).toEqual(['FORBIDDEN']); // sealed role, other court
    expect(codes(await mutate(api, token.quA, 'seal', { orderId }))).toEqual(['FORBIDDEN']); // own court, no sealed role
    const sealed = resultOf(await mutate(api, token.clerkA, 'seal', { orderId }));
    expect(sealed.order).toMatchObject({ __typename: 'Order', sealed: true });
    expect(codes(await mutate(api, token.clerkA, 'seal', { orderId }))).toEqual(['CONFLICT']);
    // Without a sealed role it is gone: not found, also for changing or unsealing it.
    expect(codes(await api.post(QUERIES.order, { id: orderId, wait: sealed.position }, token.quA))).toEqual(['NOT_FOUND']);
    expect(codes(await mutate(api, token.quA, 'unseal', { orderId }))).toEqual(['NOT_FOUND']);
    expect(codes(await mutate(api, token.quA, 'lock', { orderId }))).toEqual(['NOT_FOUND']);
    const unsealed = resultOf(await mutate(api, token.clerkA, 'unseal', { orderId }));
    expect(unsealed.order).toMatchObject({ sealed: false });
    expect((await api.post(QUERIES.order, { id: orderId, wait: unsealed.position }, token.quA)).data!.order).toMatchObject({ sealed: false });
  });

  it('a second lock by another user is refused with LOCKED; the holder may extend it', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    resultOf(await mutate(api, token.quA, 'lock', { orderId, minutes: 5 }));
    expect(codes(await mutate(api, token.clerkA, 'lock', { orderId }))).toEqual(['LOCKED']);
    expect(resultOf(await mutate(api, token.quA, 'lock', { orderId, minutes: 60 })).order!.lock.holder).toBe('qua');
    expect(codes(await mutate(api, token.quA, 'lock', { orderId, minutes: 100_000 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('attaches an uploaded image by its id and refuses the same image twice', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    const scan = pdf(2);
    const imageId = await uploaded(api, token.quA, scan, 'order.pdf');
    expect(resultOf(await mutate(api, token.quA, 'attach', { orderId, imageId })).order!.images).toEqual([
      { sha256: imageId, contentType: 'application/pdf', sizeBytes: scan.length },
    ]);
    expect(codes(await mutate(api, token.quA, 'attach', { orderId, imageId }))).toEqual(['CONFLICT']);
  });
});

const mutationAdd = `mutation ($key: String!, $data: OrderDataInput!, $carpos: Boolean!) {
  r: addOrder(idempotencyKey: $key, data: $data, submitToCarpos: $carpos) { orderId revision position replayed } }`;

describe('refusals name their code, field and rule and change nothing', () => {
  it('UNAUTHENTICATED without a session, on mutations and queries alike', async () => {
    expect(codes(await mutate(api, '', 'add', { data: orderData(COURT_A), carpos: false }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await api.post(QUERIES.search, { criteria: { lastName: 'Mouse' } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('FORBIDDEN for a query-only user’s change and for an order of another court', async () => {
    const denied = await mutate(api, token.qoA, 'add', { data: orderData(COURT_A), carpos: false });
    expect(denied.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'access.update_role_required' });
    const otherCourt = await mutate(api, token.quA, 'draft', { data: { court: COURT_B, orderType: 'DV-110' } });
    expect(otherCourt.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'order.court.own_organisation_only' });
  });

  it('BAD_USER_INPUT naming the field: order rules, argument shapes, search criteria', async () => {
    const { restrainedPerson, ...rest } = orderData(COURT_A);
    const missing = await mutate(api, token.quA, 'add', { data: { ...rest, restrainedPerson: { ...restrainedPerson, sex: 'X' } }, carpos: false });
    expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'restrainedPerson.sex' });
    const carpos = await mutate(api, token.quA, 'add', { data: { ...rest, restrainedPerson: { lastName: 'Doe', firstName: 'Jo' } }, carpos: true });
    expect(carpos.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'restrainedPerson.sex', rule: 'required' });
    const badKey = await api.post(MUTATIONS_SEAL, { key: 'has spaces', orderId: '3f0b6f0e-4d3a-4a53-9c55-0f7f3c1d2a10' }, token.clerkA);
    expect(badKey.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey', rule: 'matches' });
    const badId = await api.post(MUTATIONS_SEAL, { key: 'k1', orderId: 'not-a-uuid' }, token.clerkA);
    expect(badId.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderId', rule: 'isUuid' });
    const noCriteria = await api.post(QUERIES.search, { criteria: {} }, token.qoA);
    expect(noCriteria.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria', rule: 'criterion_required' });
    const longName = await api.post(QUERIES.search, { criteria: { lastName: 'x'.repeat(101) } }, token.qoA);
    expect(longName.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.lastName', rule: 'maxLength' });
  });

  it('NOT_FOUND for an unknown order on every path', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(codes(await mutate(api, token.quA, 'modify', { orderId: unknown, patch: { judge: 'X' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await api.post(QUERIES.order, { id: unknown }, token.qoA))).toEqual(['NOT_FOUND']);
    expect(codes(await api.post(QUERIES.history, { id: unknown }, token.qoA))).toEqual(['NOT_FOUND']);
    expect(codes(await api.post(QUERIES.asOf, { id: unknown, revision: 0 }, token.qoA))).toEqual(['NOT_FOUND']);
  });

  it('CONFLICT for a command the order’s status does not allow, and nothing is appended', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    const cancelled = resultOf(await mutate(api, token.quA, 'cancel', { orderId, reason: 'ENTERED_IN_ERROR' }));
    const serve = await mutate(api, token.quA, 'serve', { orderId, service: servedNow() });
    expect(serve.errors![0].extensions).toMatchObject({ code: 'CONFLICT', rule: 'order.status.active_required' });
    const after = await api.post(QUERIES.order, { id: orderId, wait: cancelled.position }, token.qoA);
    expect(after.data!.order.revision).toBe(cancelled.revision);
  });

  it('a read that waits for a position the read models cannot reach says so instead of answering stale data', async () => {
    const behind = await api.post(QUERIES.order, { id: '00000000-0000-4000-8000-000000000000', wait: '9000000000000000000' }, token.qoA);
    expect(codes(behind)).toEqual(['READ_MODEL_BEHIND']);
  }, 15_000);
});

const MUTATIONS_SEAL = `mutation ($key: String!, $orderId: ID!) { r: sealOrder(idempotencyKey: $key, orderId: $orderId) { orderId } }`;

describe('two clerks, one order', () => {
  it('with the revision they saw, one wins and the other gets CONFLICT; nothing is lost or overwritten unseen', async () => {
    const { orderId, revision } = await addOrder(api, token.quA, orderData(COURT_A));
    const [a, b] = await Promise.all([
      mutate(api, token.quA, 'modify', { orderId, patch: { judge: 'Hon. First' }, rev: revision }),
      mutate(api, token.clerkA, 'modify', { orderId, patch: { notes: 'Second clerk’s note' }, rev: revision }),
    ]);
    const outcomes = [a, b].map((body) => (body.errors ? body.errors[0].extensions!.code : 'OK')).sort();
    expect(outcomes).toEqual(['CONFLICT', 'OK']);
    const winner = resultOf(a.errors ? b : a);
    expect(winner.revision).toBe(revision + 1);
    const history = await api.post(QUERIES.history, { id: orderId, wait: winner.position }, token.qoA);
    expect((history.data!.orderHistory as any[]).filter((e) => e.type === 'OrderModified')).toHaveLength(1);
  });

  it('without a revision, both changes are decided in turn and both survive', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    const both = await Promise.all([
      mutate(api, token.quA, 'modify', { orderId, patch: { judge: 'Hon. First' } }),
      mutate(api, token.clerkA, 'modify', { orderId, patch: { notes: 'Second clerk’s note' } }),
    ]);
    const last = both.map(resultOf).sort((x, y) => y.revision - x.revision)[0];
    const order = await api.post(QUERIES.order, { id: orderId, wait: last.position }, token.qoA);
    expect(order.data!.order.data).toMatchObject({ judge: 'Hon. First' });
    expect(order.data!.order.revision).toBe(2);
  });

  it('the edit lock: the other clerk is refused with LOCKED until the holder unlocks or an administrator forces it', async () => {
    const { orderId } = await addOrder(api, token.quA, orderData(COURT_A));
    const lock = resultOf(await mutate(api, token.quA, 'lock', { orderId }));
    const blocked = await mutate(api, token.clerkA, 'modify', { orderId, patch: { judge: 'Hon. Blocked' } });
    expect(blocked.errors![0].extensions).toMatchObject({ code: 'LOCKED' });
    expect(blocked.errors![0].message).toMatch(/locked by user qua/);
    // Only the holder or an administrator may remove it.
    expect(codes(await mutate(api, token.clerkA, 'unlock', { orderId }))).toEqual(['FORBIDDEN']);

    const listed = await api.post(QUERIES.locked, { wait: lock.position }, token.adminA);
    expect(listed.data!.lockedOrders).toEqual(expect.arrayContaining([expect.objectContaining({ orderId, lockedBy: 'qua', lockedByOrganisation: COURT_A.ori })]));
    expect(codes(await api.post(QUERIES.locked, {}, token.quA))).toEqual(['FORBIDDEN']);

    const forced = resultOf(await mutate(api, token.adminA, 'unlock', { orderId }));
    expect(forced.order).toBeNull(); // an ADMINISTRATOR alone sees no order data
    expect(resultOf(await mutate(api, token.clerkA, 'modify', { orderId, patch: { judge: 'Hon. Free' } })).order!.data.judge).toBe('Hon. Free');
    const history = await api.post(QUERIES.history, { id: orderId, wait: forced.position }, token.qoA);
    expect(JSON.parse((history.data!.orderHistory as any[]).find((e) => e.type === 'OrderUnlocked').data)).toEqual({
      unlockedBy: `admin-${COURT_A.ori.toLowerCase()}`,
      forced: true,
    });
  });
});

describe('the access log', () => {
  it('records every search with its criteria, and every view and history view, refused ones too', async () => {
    const { orderId, position } = await addOrder(api, token.quA, orderData(COURT_A, { caseNumber: 'LOG-CASE-1' }));
    await api.post(QUERIES.search, { criteria: { caseNumber: 'LOG-CASE-%' }, wait: position }, token.qoA);
    await api.post(QUERIES.order, { id: orderId }, token.qoA);
    await api.post(QUERIES.history, { id: orderId }, token.qoA);
    await api.post(QUERIES.order, { id: '00000000-0000-4000-8000-000000000001' }, token.qoA);
    const { rows } = await db.pool.query(
      `SELECT action, outcome, target, details FROM access_log WHERE user_id = 'qoa' AND action IN ('search', 'order_view', 'history_view') ORDER BY id DESC LIMIT 4`,
    );
    expect(rows.reverse()).toEqual([
      expect.objectContaining({ action: 'search', outcome: 'ok', details: expect.objectContaining({ criteria: { caseNumber: 'LOG-CASE-%' }, totalCount: 1 }) }),
      expect.objectContaining({ action: 'order_view', outcome: 'ok', target: orderId }),
      expect.objectContaining({ action: 'history_view', outcome: 'ok', target: orderId }),
      expect.objectContaining({ action: 'order_view', outcome: 'refused', target: '00000000-0000-4000-8000-000000000001' }),
    ]);
  });
});
