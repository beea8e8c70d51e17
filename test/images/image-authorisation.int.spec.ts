import type { Role } from '../../src/access/access-policy';
import { Api, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { download, orderImagePath, quickAttachImagePath, uploaded } from './image-api';
import { pdf, png } from './image-fixtures';

/**
 * Who may download an image, over the wire. The expectations are written out here from DESIGN
 * §4 and §6, not taken from the policy module: sealed orders (a hidden one answers exactly like
 * a missing one), other courts, and Quick Attach's county scope.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
/** Another court in the same county. */
const COURT_C = { county: 'Alameda', ori: 'CA010025J' };
/** A court in another county. */
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };
const COURTS = { A: COURT_A, B: COURT_B, C: COURT_C };
type Court = keyof typeof COURTS;
const ROLES: Role[] = ['QUERY_ONLY', 'QUERY_ONLY_SEALED', 'QUERY_UPDATE', 'QUERY_UPDATE_SEALED', 'ADMINISTRATOR'];

type Outcome = 200 | 403 | 404;

/** DESIGN §4: images of an order of court A. */
function orderImage(role: Role, court: Court, sealed: boolean): Outcome {
  if (role === 'ADMINISTRATOR') return sealed ? 404 : 403; // no order data; a sealed order does not exist for them
  if (!sealed) return 200;
  const sealedRole = role === 'QUERY_ONLY_SEALED' || role === 'QUERY_UPDATE_SEALED';
  if (!sealedRole) return 404;
  return court === 'A' ? 200 : 403; // the existence of a sealed order of another court, never its images
}

/** DESIGN §6: a pending quick attach entered in Alameda is found and opened within Alameda only. */
function quickAttachImage(role: Role, court: Court): Outcome {
  if (COURTS[court].county !== 'Alameda') return 404;
  return role === 'ADMINISTRATOR' ? 403 : 200;
}

let db: TestDatabase;
let api: Api;
const viewers: { role: Role; court: Court; token: string }[] = [];
const token = (role: Role, court: Court) => viewers.find((v) => v.role === role && v.court === court)!.token;
const images: Record<'open' | 'sealed', string> = { open: '', sealed: '' };
const orders: Record<'open' | 'sealed', string> = { open: '', sealed: '' };
let quickAttachId = '';
let quickAttachImageId = '';

const ADD_QUICK_ATTACH = `mutation ($key: String!, $input: QuickAttachInput!) { r: addQuickAttach(idempotencyKey: $key, input: $input) { quickAttachId } }`;

beforeAll(async () => {
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { PROCESSES: 'api' } });
  const sysadmin = await tokenOf(api);
  for (const court of Object.values(COURTS)) await provisionOrganisation(api, sysadmin, court);
  for (const [court, { ori }] of Object.entries(COURTS) as [Court, { ori: string }][]) {
    for (const role of ROLES) {
      const userId = `${role.toLowerCase().replace(/_/g, '-')}-${court.toLowerCase()}`;
      viewers.push({ role, court, token: await provisionUser(api, ori, { userId, roles: [role] }) });
    }
  }
  const clerk = token('QUERY_UPDATE_SEALED', 'A');
  for (const kind of ['open', 'sealed'] as const) {
    orders[kind] = (await addOrder(api, clerk, orderData(COURT_A))).orderId;
    images[kind] = await uploaded(api, clerk, pdf(kind === 'open' ? 1 : 2));
    resultOf(await mutate(api, clerk, 'attach', { orderId: orders[kind], imageId: images[kind] }));
  }
  resultOf(await mutate(api, clerk, 'seal', { orderId: orders.sealed }));
  quickAttachImageId = await uploaded(api, token('QUERY_UPDATE', 'A'), png());
  const added = await api.post(ADD_QUICK_ATTACH, { key: 'qa-1', input: { imageId: quickAttachImageId, caseNumber: 'FL-QA-1' } }, token('QUERY_UPDATE', 'A'));
  quickAttachId = added.data!.r.quickAttachId;
}, 120_000);
afterAll(async () => {
  await api?.app.close();
  await db.drop();
});

const cases = ROLES.flatMap((role) => (['A', 'B', 'C'] as const).map((court) => ({ role, court })));

describe.each(cases)('$role of court $court', ({ role, court }) => {
  for (const sealed of [false, true]) {
    it(`the image of ${sealed ? 'a sealed' : 'an unsealed'} order of court A → ${orderImage(role, court, sealed)}`, async () => {
      const kind = sealed ? 'sealed' : 'open';
      const got = await download(api, token(role, court), orderImagePath(orders[kind], images[kind]));
      expect(got.status).toBe(orderImage(role, court, sealed));
      if (got.status === 200) expect(got.headers.get('content-type')).toBe('application/pdf');
    });
  }

  it(`a pending quick attach image entered in Alameda → ${quickAttachImage(role, court)}`, async () => {
    const got = await download(api, token(role, court), quickAttachImagePath(quickAttachId));
    expect(got.status).toBe(quickAttachImage(role, court));
    if (got.status === 200) expect(got.headers.get('content-type')).toBe('image/png');
  });
});

describe('a hidden image answers exactly like a missing one', () => {
  it('same status, same body but for the id, on the order and the quick attach routes', async () => {
    const missingOrder = '00000000-0000-4000-8000-0000000000ff';
    const hidden = await download(api, token('QUERY_UPDATE', 'A'), orderImagePath(orders.sealed, images.sealed));
    const absent = await download(api, token('QUERY_UPDATE', 'A'), orderImagePath(missingOrder, images.sealed));
    expect([hidden.status, JSON.stringify(hidden.json).replace(orders.sealed, 'ID')]).toEqual([absent.status, JSON.stringify(absent.json).replace(missingOrder, 'ID')]);

    const otherCounty = await download(api, token('QUERY_UPDATE', 'B'), quickAttachImagePath(quickAttachId));
    const noQuickAttach = await download(api, token('QUERY_UPDATE', 'B'), quickAttachImagePath(missingOrder));
    expect([otherCounty.status, JSON.stringify(otherCounty.json).replace(quickAttachId, 'ID')]).toEqual([
      noQuickAttach.status,
      JSON.stringify(noQuickAttach.json).replace(missingOrder, 'ID'),
    ]);
  });
});
