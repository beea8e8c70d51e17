import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/access/access-policy';
import { Api, codes, GraphqlBody, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { mutate, orderData, QUERIES, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { download, quickAttachImagePath, uploaded } from '../images/image-api';
import { pdf } from '../images/image-fixtures';

/**
 * Quick Attach over the wire on the real PostgreSQL (DESIGN §6): add a scan with what is known,
 * find it within the county with the search's wildcard rules, convert it into a draft or an
 * active order (idempotently), after which it is no longer pending and follows its order.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
const COURT_C = { county: 'Alameda', ori: 'CA010025J' };
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };

let db: TestDatabase;
let api: Api;
const token: Record<string, string> = {};
const users: Record<string, { org: string; roles: Role[] }> = {
  clerkA: { org: COURT_A.ori, roles: ['QUERY_UPDATE_SEALED'] },
  quA: { org: COURT_A.ori, roles: ['QUERY_UPDATE'] },
  qoA: { org: COURT_A.ori, roles: ['QUERY_ONLY'] },
  quC: { org: COURT_C.ori, roles: ['QUERY_UPDATE'] },
  qosC: { org: COURT_C.ori, roles: ['QUERY_ONLY_SEALED'] },
  quB: { org: COURT_B.ori, roles: ['QUERY_UPDATE'] },
};

const QUICK_ATTACH = `quickAttachId revision status court { county ori } caseNumber restrainedPerson { lastName firstName } notes
  image { sha256 contentType sizeBytes pageCount fileName } added { userId organisation } conversion { orderId into userId } orderSealed`;
const ADD = `mutation ($key: String!, $input: QuickAttachInput!) {
  r: addQuickAttach(idempotencyKey: $key, input: $input) { quickAttachId revision position replayed quickAttach { ${QUICK_ATTACH} } } }`;
const CONVERT = `mutation ($key: String!, $id: ID!, $into: String!, $data: OrderDataInput!, $carpos: Boolean) {
  r: convertQuickAttach(idempotencyKey: $key, quickAttachId: $id, into: $into, data: $data, submitToCarpos: $carpos) {
    quickAttachId position replayed quickAttach { status conversion { orderId into } }
    order { orderId replayed order { ... on Order { status data { caseNumber court { ori } restrainedPerson { lastName firstName } notes } images { sha256 pageCount } } } } } }`;
const SEARCH = `query ($criteria: QuickAttachCriteria, $page: Int, $wait: String) {
  quickAttaches(criteria: $criteria, page: $page, waitForPosition: $wait) { totalCount page pageCount next last items { ${QUICK_ATTACH} } } }`;

beforeAll(async () => {
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { PROCESSES: 'api,projector' } });
  const sysadmin = await tokenOf(api);
  for (const court of [COURT_A, COURT_B, COURT_C]) await provisionOrganisation(api, sysadmin, court);
  for (const [name, user] of Object.entries(users)) token[name] = await provisionUser(api, user.org, { userId: name.toLowerCase(), roles: user.roles });
  token.adminA = await tokenOf(api, `admin-${COURT_A.ori.toLowerCase()}`);
}, 60_000);
afterAll(async () => {
  await api?.app.close();
  await db.drop();
});

/** A scan only this call uploads (the same bytes would be one image). */
const scan = () => Buffer.concat([pdf(2), randomBytes(8)]);

async function addQuickAttach(who: string, input: Record<string, unknown> = {}, key = randomBytes(8).toString('hex')) {
  const imageId = await uploaded(api, token[who], scan(), 'scan.pdf');
  return resultOf(await api.post(ADD, { key, input: { imageId, ...input } }, token[who])) as unknown as {
    quickAttachId: string; position: string; replayed: boolean; quickAttach: Record<string, any>;
  };
}

const search = (who: string, criteria: Record<string, unknown> = {}, wait?: string) => api.post(SEARCH, { criteria, wait }, token[who]);
const found = (body: GraphqlBody) => {
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!.quickAttaches as { totalCount: number; items: Record<string, any>[] };
};
const ids = (body: GraphqlBody) => found(body).items.map((item) => item.quickAttachId);

describe('adding a quick attach', () => {
  it('records the scan as uploaded, for the user’s court and county, with only what is known', async () => {
    const added = await addQuickAttach('quA', { caseNumber: ' FL-QA-100 ', restrainedPerson: { lastName: 'Doe' }, notes: '' });
    expect(added).toMatchObject({ replayed: false, quickAttach: {
      status: 'PENDING', court: COURT_A, caseNumber: 'FL-QA-100', restrainedPerson: { lastName: 'Doe', firstName: null }, notes: null,
      image: { contentType: 'application/pdf', pageCount: 2, fileName: 'scan.pdf' }, added: { userId: 'qua', organisation: COURT_A.ori }, conversion: null,
    } });
  });

  it('is idempotent by key, and refuses what it must', async () => {
    const imageId = await uploaded(api, token.quA, scan());
    const first = resultOf(await api.post(ADD, { key: 'same-key', input: { imageId } }, token.quA));
    const again = resultOf(await api.post(ADD, { key: 'same-key', input: { imageId } }, token.quA)) as unknown as { quickAttachId: string; replayed: boolean };
    expect(again).toMatchObject({ quickAttachId: (first as unknown as { quickAttachId: string }).quickAttachId, replayed: true });
    expect(codes(await api.post(ADD, { key: 'k1', input: { imageId } }, token.qoA))).toEqual(['FORBIDDEN']);
    expect(codes(await api.post(ADD, { key: 'k2', input: { imageId: 'e'.repeat(64) } }, token.quA))).toEqual(['NOT_FOUND']);
    // An image uploaded by another court is not this court's to enter.
    expect(codes(await api.post(ADD, { key: 'k3', input: { imageId } }, token.quB))).toEqual(['NOT_FOUND']);
    expect(codes(await api.post(ADD, { key: 'k4', input: { imageId, caseNumber: 'x'.repeat(31) } }, token.quA))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('searching quick attaches within the county', () => {
  const made: Record<string, string> = {};
  let last = '0';
  beforeAll(async () => {
    for (const [name, who, input] of [
      ['mouse', 'quA', { restrainedPerson: { lastName: 'Mouse', firstName: 'Mickey' }, caseNumber: 'FL-SRCH-1' }],
      ['moose', 'quC', { restrainedPerson: { lastName: 'Moose', firstName: 'Bull' } }],
      ['literal', 'quA', { restrainedPerson: { lastName: 'M__SE' } }],
      ['alpine', 'quB', { restrainedPerson: { lastName: 'Mouse' } }],
    ] as const) {
      const added = await addQuickAttach(who, input);
      made[name] = added.quickAttachId;
      last = added.position;
    }
  });

  it('applies the order search’s wildcard rules to names and case numbers', async () => {
    const within = (body: GraphqlBody) => ids(body).filter((id) => Object.values(made).includes(id)).sort();
    expect(within(await search('qoA', { lastName: 'mouse' }, last))).toEqual([made.mouse]);
    expect(within(await search('qoA', { lastName: 'M__SE' }))).toEqual([made.literal]);
    expect(within(await search('qoA', { lastName: 'M__SE%' }))).toEqual([made.mouse, made.moose, made.literal].sort());
    expect(within(await search('qoA', { lastName: '%SE', firstName: 'B%' }))).toEqual([made.moose]);
    expect(within(await search('qoA', { caseNumber: 'fl-srch-%' }))).toEqual([made.mouse]);
  });

  it('finds those of the county only, whichever court entered them; other counties see their own', async () => {
    expect(ids(await search('quC', { lastName: 'Mouse' }, last))).toEqual([made.mouse]);
    expect(ids(await search('quB', { lastName: 'Mouse' }, last))).toEqual([made.alpine]);
  });

  it('needs a query role, and writes every search to the access log', async () => {
    const refused = await search('adminA', { lastName: 'Mouse' });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'access.query_role_required' });
    const { rows } = await db.pool.query(
      `SELECT user_id, outcome, details FROM access_log WHERE action = 'search' AND details->>'of' = 'quickAttaches' ORDER BY id DESC LIMIT 2`,
    );
    expect(rows.map((row) => [row.user_id, row.outcome, row.details.criteria])).toEqual([
      [`admin-${COURT_A.ori.toLowerCase()}`, 'refused', { lastName: 'Mouse' }],
      ['qub', 'ok', { lastName: 'Mouse' }],
    ]);
  });
});

describe('converting a quick attach into an order', () => {
  it('into a DRAFT: the order gets the index data and the image; the quick attach is no longer pending; a retry changes nothing', async () => {
    const { quickAttachId, quickAttach } = await addQuickAttach('quA', { caseNumber: 'FL-CONV-1', restrainedPerson: { lastName: 'Draftee', firstName: 'Dan' }, notes: 'handwritten: no contact' });
    const variables = { key: 'convert-1', id: quickAttachId, into: 'DRAFT', data: { orderType: 'DV-110' } };
    const converted = resultOf(await api.post(CONVERT, variables, token.quA)) as unknown as Record<string, any>;
    expect(converted).toMatchObject({
      replayed: false,
      quickAttach: { status: 'CONVERTED', conversion: { into: 'DRAFT' } },
      order: { order: {
        status: 'DRAFT',
        data: { caseNumber: 'FL-CONV-1', court: { ori: COURT_A.ori }, restrainedPerson: { lastName: 'Draftee', firstName: 'Dan' }, notes: 'handwritten: no contact' },
        images: [{ sha256: quickAttach.image.sha256, pageCount: 2 }],
      } },
    });
    const orderId = converted.order.orderId;
    expect(converted.quickAttach.conversion.orderId).toBe(orderId);

    const retried = resultOf(await api.post(CONVERT, variables, token.quA)) as unknown as Record<string, any>;
    expect(retried).toMatchObject({ replayed: true, order: { orderId, replayed: true } });

    expect(ids(await search('quA', { caseNumber: 'FL-CONV-1' }, converted.position))).toEqual([]);
    const all = found(await search('quA', { caseNumber: 'FL-CONV-1', includeConverted: true }));
    expect(all.items).toEqual([expect.objectContaining({ quickAttachId, status: 'CONVERTED', conversion: { orderId, into: 'DRAFT', userId: 'qua' } })]);
    expect((await api.post(QUERIES.order, { id: orderId, wait: converted.position }, token.qoA)).data!.order.status).toBe('DRAFT');
  });

  it('into an ACTIVE order with full data', async () => {
    const { quickAttachId } = await addQuickAttach('quA', { caseNumber: 'FL-CONV-2' });
    const { caseNumber: _, ...data } = orderData(COURT_A);
    const converted = resultOf(await api.post(CONVERT, { key: 'convert-2', id: quickAttachId, into: 'ACTIVE', data, carpos: false }, token.quA)) as unknown as Record<string, any>;
    expect(converted.order.order).toMatchObject({ status: 'ACTIVE', data: { caseNumber: 'FL-CONV-2' } });
  });

  it('refuses: a second conversion under another key, a user without an update role, another county, incomplete data', async () => {
    const { quickAttachId } = await addQuickAttach('quA');
    const draft = { orderType: 'DV-110' };
    expect(codes(await api.post(CONVERT, { key: 'c-qo', id: quickAttachId, into: 'DRAFT', data: draft }, token.qoA))).toEqual(['FORBIDDEN']);
    expect(codes(await api.post(CONVERT, { key: 'c-b', id: quickAttachId, into: 'DRAFT', data: draft }, token.quB))).toEqual(['NOT_FOUND']);
    expect(codes(await api.post(CONVERT, { key: 'c-bad', id: quickAttachId, into: 'ACTIVE', data: draft }, token.quA))).toEqual(['BAD_USER_INPUT']);
    resultOf(await api.post(CONVERT, { key: 'c-1', id: quickAttachId, into: 'DRAFT', data: draft }, token.quC));
    const again = await api.post(CONVERT, { key: 'c-2', id: quickAttachId, into: 'DRAFT', data: draft }, token.quA);
    expect(again.errors![0].extensions).toMatchObject({ code: 'CONFLICT', rule: 'quickAttach.already_converted' });
  });

  it('two users converting one quick attach at the same moment make one order: the other is told it is already converted', async () => {
    const { quickAttachId } = await addQuickAttach('quA', { caseNumber: 'FL-RACE-1' });
    const draft = { orderType: 'DV-110' };
    const answers = await Promise.all([
      api.post(CONVERT, { key: 'race-a', id: quickAttachId, into: 'DRAFT', data: draft }, token.quA),
      api.post(CONVERT, { key: 'race-c', id: quickAttachId, into: 'DRAFT', data: draft }, token.quC),
    ]);
    const [won] = answers.filter((answer) => !answer.errors);
    const lost = answers.filter((answer) => answer.errors);
    expect(lost.map((answer) => answer.errors![0].extensions)).toEqual([expect.objectContaining({ code: 'CONFLICT', rule: 'quickAttach.already_converted' })]);
    const orderId = (won.data!.r as Record<string, any>).order.orderId;
    const found = await api.post(QUERIES.search, { criteria: { caseNumber: 'FL-RACE-1', includeDrafts: true }, wait: (won.data!.r as Record<string, any>).position }, token.quA);
    expect(found.data!.searchOrders.items.map((item: { orderId: string }) => item.orderId)).toEqual([orderId]);
  });

  it('once its order is sealed, it follows the order: hidden from users without a sealed role, only the conversion shown to the others', async () => {
    const { quickAttachId, quickAttach } = await addQuickAttach('clerkA', { caseNumber: 'FL-SEAL-1', restrainedPerson: { lastName: 'Hidden' } });
    const converted = resultOf(await api.post(CONVERT, { key: 'c-seal', id: quickAttachId, into: 'DRAFT', data: { orderType: 'DV-110' } }, token.clerkA)) as unknown as Record<string, any>;
    const sealed = resultOf(await mutate(api, token.clerkA, 'seal', { orderId: converted.order.orderId }));
    const criteria = { caseNumber: 'FL-SEAL-%', includeConverted: true };
    expect(found(await search('quC', criteria, sealed.position))).toMatchObject({ totalCount: 0, items: [] });
    expect(found(await search('qosC', criteria)).items).toEqual([
      expect.objectContaining({ quickAttachId, status: 'CONVERTED', orderSealed: true, caseNumber: null, restrainedPerson: { lastName: null, firstName: null }, notes: null, image: null }),
    ]);
    // Its image is now the sealed order's: the quick attach route answers as the order's does.
    expect((await download(api, token.quC, quickAttachImagePath(quickAttachId))).status).toBe(404);
    expect((await download(api, token.qosC, quickAttachImagePath(quickAttachId))).status).toBe(403);
    const own = await download(api, token.clerkA, quickAttachImagePath(quickAttachId));
    expect([own.status, own.headers.get('etag')]).toEqual([200, `"${quickAttach.image.sha256}"`]);
  });
});
