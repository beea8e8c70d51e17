import type { Role } from '../../src/access/access-policy';
import { Api, codes, GraphqlBody, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, QUERIES, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';

/**
 * DESIGN §4 over the wire: role × same/other court × sealed/unsealed × every path that returns
 * order data (search by name, date of birth and case number, detail, detail through an alias
 * and fragments, history, as-of). The expectations are written out here from DESIGN §4, not
 * taken from the policy module, so a resolver that skips or misapplies the policy fails.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };
const ROLES: Role[] = ['QUERY_ONLY', 'QUERY_ONLY_SEALED', 'QUERY_UPDATE', 'QUERY_UPDATE_SEALED', 'ADMINISTRATOR'];

type Seen = 'full' | 'notice' | 'not_found' | 'forbidden';
interface Expectation {
  detail: Seen;
  /** history and as-of: the order's past is shown in full or not at all. */
  past: Exclude<Seen, 'notice'>;
  search: 'full' | 'redacted' | 'absent' | 'forbidden';
}

/** DESIGN §4, case by case. */
function expected(role: Role, ownCourt: boolean, sealed: boolean): Expectation {
  const query = role !== 'ADMINISTRATOR';
  const sealedRole = role === 'QUERY_ONLY_SEALED' || role === 'QUERY_UPDATE_SEALED';
  if (!sealed) return query ? { detail: 'full', past: 'full', search: 'full' } : { detail: 'forbidden', past: 'forbidden', search: 'forbidden' };
  // Sealed: a user without a sealed role never learns it exists, whatever else they hold.
  if (!sealedRole) return { detail: 'not_found', past: 'not_found', search: query ? 'absent' : 'forbidden' };
  return ownCourt ? { detail: 'full', past: 'full', search: 'full' } : { detail: 'notice', past: 'forbidden', search: 'redacted' };
}

interface Target {
  orderId: string;
  caseNumber: string;
  lastName: string;
  dateOfBirth: string;
  sealed: boolean;
}

let db: TestDatabase;
let api: Api;
const viewers: { role: Role; court: 'A' | 'B'; token: string }[] = [];
const targets: Target[] = [];

beforeAll(async () => {
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { PROCESSES: 'api,projector' } });
  const sysadmin = await tokenOf(api);
  for (const court of [COURT_A, COURT_B]) await provisionOrganisation(api, sysadmin, { ...court, kind: 'SUPERIOR_COURT' });
  for (const [court, { ori }] of [['A', COURT_A], ['B', COURT_B]] as const) {
    for (const role of ROLES) {
      const userId = `${role.toLowerCase().replace(/_/g, '-')}-${court.toLowerCase()}`;
      viewers.push({ role, court, token: await provisionUser(api, ori, { userId, roles: [role] }) });
    }
  }
  const clerk = viewers.find((v) => v.court === 'A' && v.role === 'QUERY_UPDATE_SEALED')!.token;
  let last = '0';
  for (const sealed of [false, true]) {
    const lastName = sealed ? 'Sealedperson' : 'Openperson';
    const dateOfBirth = sealed ? '1971-07-07' : '1972-08-08';
    const data = orderData(COURT_A, { restrainedPerson: { lastName, firstName: 'Pat', dateOfBirth, sex: 'U', race: 'U', aliases: [] } });
    const added = await addOrder(api, clerk, data);
    last = added.position;
    if (sealed) last = resultOf(await mutate(api, clerk, 'seal', { orderId: added.orderId })).position;
    targets.push({ orderId: added.orderId, caseNumber: data.caseNumber, lastName, dateOfBirth, sealed });
  }
  // Every search and view below runs on read models that have both orders in their final state.
  const ready = await api.post(QUERIES.locked, { wait: last }, viewers.find((v) => v.role === 'ADMINISTRATOR')!.token);
  expect(ready.errors).toBeUndefined();
}, 120_000);
afterAll(async () => {
  await api?.app.close();
  await db.drop();
});

const ALIASED = `query ($id: ID!) {
  first: order(id: $id) { ...Shown }
  again: order(id: $id) { __typename ... on Order { restrainedName: data { restrainedPerson { lastName } } } }
}
fragment Shown on OrderView { __typename ...FullOrder ...Notice }
fragment FullOrder on Order { orderId sealed data { restrainedPerson { lastName dateOfBirth } } }
fragment Notice on SealedOrderNotice { orderId caseNumber sealed }`;

function detailOutcome(body: GraphqlBody, field: string): Seen {
  if (body.errors?.length) {
    const code = body.errors[0].extensions?.code;
    if (code === 'NOT_FOUND') return 'not_found';
    if (code === 'FORBIDDEN') return 'forbidden';
    throw new Error(`unexpected ${JSON.stringify(body.errors)}`);
  }
  return body.data![field].__typename === 'Order' ? 'full' : 'notice';
}

function pastOutcome(body: GraphqlBody): Exclude<Seen, 'notice'> {
  return body.errors ? (detailOutcome(body, '') as Exclude<Seen, 'notice'>) : 'full';
}

function searchOutcome(body: GraphqlBody, target: Target): Expectation['search'] {
  if (codes(body)[0] === 'FORBIDDEN') return 'forbidden';
  if (body.errors) throw new Error(`unexpected ${JSON.stringify(body.errors)}`);
  const page = body.data!.searchOrders;
  const row = page.items.find((item: { orderId: string }) => item.orderId === target.orderId);
  if (!row) {
    expect(page.totalCount).toBe(0); // not even counted
    return 'absent';
  }
  return row.restrainedPerson.lastName === null ? 'redacted' : 'full';
}

const cases = ROLES.flatMap((role) =>
  (['A', 'B'] as const).flatMap((court) => [false, true].map((sealed) => ({ role, court, sealed }))),
);

describe.each(cases)('$role of court $court, sealed order: $sealed', ({ role, court, sealed }) => {
  const want = expected(role, court === 'A', sealed);
  const viewer = () => viewers.find((v) => v.role === role && v.court === court)!;
  const target = () => targets.find((t) => t.sealed === sealed)!;

  it(`detail (also aliased, through fragments): ${want.detail}`, async () => {
    const { orderId } = target();
    expect(detailOutcome(await api.post(QUERIES.order, { id: orderId }, viewer().token), 'order')).toBe(want.detail);
    const aliased = await api.post(ALIASED, { id: orderId }, viewer().token);
    if (want.detail === 'full' || want.detail === 'notice') {
      expect(aliased.data!.first.__typename).toBe(want.detail === 'full' ? 'Order' : 'SealedOrderNotice');
      // The notice says that the order exists, with no person's data in any shape.
      if (want.detail === 'notice') expect(JSON.stringify(aliased)).not.toMatch(new RegExp(`${target().lastName}|${target().dateOfBirth}`));
    } else {
      expect(aliased.data).toBeNull();
      expect(new Set(codes(aliased))).toEqual(new Set([want.detail === 'not_found' ? 'NOT_FOUND' : 'FORBIDDEN']));
      expect(JSON.stringify(aliased)).not.toMatch(new RegExp(target().lastName));
    }
  });

  it(`history and as-of: ${want.past}`, async () => {
    const { orderId } = target();
    expect(pastOutcome(await api.post(QUERIES.history, { id: orderId }, viewer().token))).toBe(want.past);
    expect(pastOutcome(await api.post(QUERIES.asOf, { id: orderId, revision: 0 }, viewer().token))).toBe(want.past);
  });

  it(`search by last name, date of birth and case number: ${want.search}`, async () => {
    const t = target();
    for (const criteria of [{ lastName: t.lastName }, { lastName: `${t.lastName.slice(0, 4)}%` }, { dateOfBirth: t.dateOfBirth }, { caseNumber: t.caseNumber }]) {
      expect(searchOutcome(await api.post(QUERIES.search, { criteria }, viewer().token), t)).toBe(want.search);
    }
  });
});

describe('a hidden sealed order answers exactly like a missing one', () => {
  it('same code, same message shape, on every path', async () => {
    const { token } = viewers.find((v) => v.role === 'QUERY_UPDATE' && v.court === 'A')!;
    const sealed = targets.find((t) => t.sealed)!.orderId;
    const missing = '00000000-0000-4000-8000-0000000000ff';
    for (const query of [QUERIES.order, QUERIES.history]) {
      const [hidden, absent] = [await api.post(query, { id: sealed }, token), await api.post(query, { id: missing }, token)];
      expect(hidden.errors![0].message.replace(sealed, 'ID')).toBe(absent.errors![0].message.replace(missing, 'ID'));
      expect(hidden.errors![0].extensions).toEqual(absent.errors![0].extensions);
    }
    // Changing it is refused the same way too.
    const change = await mutate(api, token, 'modify', { orderId: sealed, patch: { judge: 'X' } });
    const changeMissing = await mutate(api, token, 'modify', { orderId: missing, patch: { judge: 'X' } });
    expect(change.errors![0].extensions).toEqual(changeMissing.errors![0].extensions);
  });
});
