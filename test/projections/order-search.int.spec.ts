import { randomUUID } from 'node:crypto';
import { OrderData } from '../../src/orders/order-data';
import { actors, COURT_ORI, command, fullOrderData, OTHER_COURT_ORI } from '../../src/orders/order.fixtures.spec';
import { tableNames } from '../../src/projection-engine/projection';
import { liveGeneration } from '../../src/projection-engine/projection-registry';
import { inTransaction } from '../../src/postgres/transaction';
import { ValidationError } from '../../src/shared/domain-error';
import { orderRow, orderSearchProjection, insertOrders } from '../../projections/order-search/order-search.projection';
import { COUNT_CAP, OrderSearchCriteria, OrderSearchPage, searchOrders } from '../../projections/order-search/order-search.query';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

const everyone = { includeSealed: true };
const unsealedOnly = { includeSealed: false };

interface OrderSpec {
  last: string;
  first?: string;
  dateOfBirth?: string;
  aliases?: string[];
  protectedPersons?: OrderData['protectedPersons'];
  caseNumber?: string;
  court?: OrderData['court'];
  orderType?: OrderData['orderType'];
}

let sequence = 0;
/** A full order whose restrained person is `spec`; protected persons get a name no search here uses. */
function orderData(spec: OrderSpec): OrderData {
  const base = fullOrderData();
  return {
    ...base,
    caseNumber: spec.caseNumber ?? `FL-2025-${String(++sequence).padStart(6, '0')}`,
    court: spec.court ?? base.court,
    orderType: spec.orderType ?? base.orderType,
    restrainedPerson: {
      ...base.restrainedPerson,
      lastName: spec.last,
      firstName: spec.first ?? 'Pat',
      dateOfBirth: spec.dateOfBirth ?? base.restrainedPerson.dateOfBirth,
      aliases: spec.aliases ?? [],
    },
    protectedPersons: spec.protectedPersons ?? [{ lastName: 'Zzprotected', firstName: 'Zzperson', sex: 'F' }],
  };
}

async function addOrder(h: ProjectionHarness, spec: OrderSpec): Promise<string> {
  const orderId = randomUUID();
  const data = orderData(spec);
  await h.order(command('AddOrder', { orderId, data, submitToCarpos: false, actor: { ...actors.clerk, organisation: data.court.ori } }));
  return orderId;
}

const search = (h: ProjectionHarness, criteria: OrderSearchCriteria, page = 1, viewer = everyone) =>
  searchOrders(h.db.pool, criteria, page, viewer);
const lastNames = (result: OrderSearchPage) => result.items.map((item) => item.restrainedPerson.lastName);
const lastNamesFor = async (h: ProjectionHarness, lastName: string) => lastNames(await search(h, { lastName }));

describe('order search: the user guide wildcard rules', () => {
  let h: ProjectionHarness;
  beforeAll(async () => {
    h = await projectionHarness(orderSearchProjection);
    for (const last of ['MOUSE', 'Majors', 'CLEESE', 'GEESE', 'MOOSE', 'M__SE', 'SMITH', 'Q*BERT', 'WHO?', "O'Brien", 'Back\\Slash']) {
      await addOrder(h, { last });
    }
    await h.project();
  });
  afterAll(() => h.teardown());

  it('M% finds every last name starting with M, MOUSE and MAJORS among them', async () => {
    expect(await lastNamesFor(h, 'M%')).toEqual(['M__SE', 'Majors', 'MOOSE', 'MOUSE']);
  });

  it('%SE finds every last name ending in SE: MOUSE, CLEESE, GEESE, and MOOSE and M__SE too', async () => {
    expect(await lastNamesFor(h, '%SE')).toEqual(['CLEESE', 'GEESE', 'M__SE', 'MOOSE', 'MOUSE']);
  });

  it('M__SE without % finds only the literal M__SE, not MOUSE or MOOSE', async () => {
    expect(await lastNamesFor(h, 'M__SE')).toEqual(['M__SE']);
  });

  it('M__SE% makes _ a one-character wildcard: MOUSE, MOOSE (and M__SE itself)', async () => {
    expect(await lastNamesFor(h, 'M__SE%')).toEqual(['M__SE', 'MOOSE', 'MOUSE']);
    expect(await lastNamesFor(h, 'M_SE%')).toEqual([]);
  });

  it('matches whole values without %: MOUS finds nothing', async () => {
    expect(await lastNamesFor(h, 'MOUS')).toEqual([]);
  });

  it('ignores case in the term and in the stored name', async () => {
    expect(await lastNamesFor(h, 'mouse')).toEqual(['MOUSE']);
    expect(await lastNamesFor(h, 'MAJORS')).toEqual(['Majors']);
    expect(await lastNamesFor(h, 'm%')).toEqual(await lastNamesFor(h, 'M%'));
  });

  it('treats * and ? as ordinary characters, with or without %', async () => {
    expect(await lastNamesFor(h, 'M*')).toEqual([]);
    expect(await lastNamesFor(h, 'M?USE')).toEqual([]);
    expect(await lastNamesFor(h, 'q*bert')).toEqual(['Q*BERT']);
    expect(await lastNamesFor(h, 'Q*%')).toEqual(['Q*BERT']);
    expect(await lastNamesFor(h, 'WHO?')).toEqual(['WHO?']);
    expect(await lastNamesFor(h, 'WH?%')).toEqual([]);
  });

  it("finds names with ' and \\ and never lets them escape into SQL", async () => {
    expect(await lastNamesFor(h, "o'brien")).toEqual(["O'Brien"]);
    expect(await lastNamesFor(h, "O'%")).toEqual(["O'Brien"]);
    expect(await lastNamesFor(h, 'back\\slash')).toEqual(['Back\\Slash']);
    // Unescaped, LIKE would read \% as a literal % and find nothing.
    expect(await lastNamesFor(h, 'BACK\\%')).toEqual(['Back\\Slash']);
    expect(await lastNamesFor(h, "x'; DROP TABLE order_search_orders; --")).toEqual([]);
  });

  it('%% matches every name, and _ alone (no %) only a person literally named _', async () => {
    expect((await search(h, { lastName: '%%' })).totalCount).toBe(11);
    expect(await lastNamesFor(h, '_')).toEqual([]);
    expect(await lastNamesFor(h, '%_%')).toHaveLength(11);
  });
});

describe('order search: persons, dates, case numbers, filters and visibility', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await projectionHarness(orderSearchProjection);
  });
  afterEach(() => h.teardown());

  it('finds an order by a protected person, unless the search is for restrained persons only', async () => {
    const protectedPersons = [{ lastName: 'Quux', firstName: 'Zelda', dateOfBirth: '2001-02-03' }];
    const id = await addOrder(h, { last: 'Smith', protectedPersons });
    await h.project();
    expect((await search(h, { lastName: 'QUUX' })).items.map((i) => i.orderId)).toEqual([id]);
    expect((await search(h, { lastName: 'QUUX', personRole: 'PROTECTED' })).totalCount).toBe(1);
    expect((await search(h, { lastName: 'QUUX', personRole: 'RESTRAINED' })).totalCount).toBe(0);
    expect((await search(h, { dateOfBirth: '2001-02-03', personRole: 'PROTECTED' })).totalCount).toBe(1);
  });

  it("finds an order by the restrained person's aliases, written 'First Last' or 'LAST, FIRST'", async () => {
    const id = await addOrder(h, { last: 'Lydon', first: 'John', aliases: ['Johnny Rotten', 'VICIOUS, SID'] });
    await h.project();
    for (const criteria of [{ lastName: 'rotten', firstName: 'johnny' }, { lastName: 'Vicious', firstName: 'Sid' }, { lastName: 'ROTT%' }]) {
      expect((await search(h, criteria)).items.map((i) => i.orderId)).toEqual([id]);
    }
    expect((await search(h, { lastName: 'Rotten', personRole: 'PROTECTED' })).totalCount).toBe(0);
    // The alias belongs to the restrained person: it carries the restrained person's date of birth.
    expect((await search(h, { lastName: 'Rotten', dateOfBirth: '1988-11-18' })).totalCount).toBe(1);
  });

  it('matches last name, first name and date of birth against one and the same person', async () => {
    await addOrder(h, {
      last: 'Mouse',
      first: 'Mickey',
      dateOfBirth: '1988-11-18',
      protectedPersons: [{ lastName: 'Duck', firstName: 'Minnie', dateOfBirth: '1990-01-01' }],
    });
    await h.project();
    expect((await search(h, { lastName: 'Mouse', firstName: 'Mickey' })).totalCount).toBe(1);
    expect((await search(h, { lastName: 'Mouse', firstName: 'Minnie' })).totalCount).toBe(0);
    expect((await search(h, { lastName: 'Mouse', dateOfBirth: '1990-01-01' })).totalCount).toBe(0);
    expect((await search(h, { firstName: 'MIN%', dateOfBirth: '1990-01-01' })).totalCount).toBe(1);
  });

  it('finds by exact date of birth and by first name alone', async () => {
    await addOrder(h, { last: 'Able', dateOfBirth: '1970-05-06', first: 'Ann' });
    await addOrder(h, { last: 'Baker', dateOfBirth: '1970-05-07', first: 'Bea' });
    await h.project();
    expect(lastNames(await search(h, { dateOfBirth: '1970-05-06' }))).toEqual(['Able']);
    expect(lastNames(await search(h, { firstName: 'BEA' }))).toEqual(['Baker']);
  });

  it('finds by case number, exactly or by the same wildcard rules', async () => {
    const [a, b] = [await addOrder(h, { last: 'Able', caseNumber: 'FL-24-00017' }), await addOrder(h, { last: 'Baker', caseNumber: 'FL-24-00018' })];
    await addOrder(h, { last: 'Cole', caseNumber: 'CR-24-00017' });
    await h.project();
    expect((await search(h, { caseNumber: 'fl-24-00017' })).items.map((i) => i.orderId)).toEqual([a]);
    expect((await search(h, { caseNumber: 'FL-24-%' })).items.map((i) => i.orderId)).toEqual([a, b]);
    expect((await search(h, { caseNumber: '%-00017' })).totalCount).toBe(2);
    expect((await search(h, { caseNumber: 'FL_24_00017' })).totalCount).toBe(0);
    expect((await search(h, { caseNumber: 'FL_24_00017%' })).totalCount).toBe(1);
    expect((await search(h, { caseNumber: 'FL-24-%', lastName: 'Baker' })).items.map((i) => i.orderId)).toEqual([b]);
  });

  it('returns the order summary a results row shows', async () => {
    const id = await addOrder(h, { last: 'Mouse', first: 'Mickey', dateOfBirth: '1988-11-18', caseNumber: 'FL-2025-000123' });
    await h.project();
    expect((await search(h, { lastName: 'Mouse' })).items).toEqual([
      {
        orderId: id,
        caseNumber: 'FL-2025-000123',
        courtOri: COURT_ORI,
        county: 'Fresno',
        orderType: 'DV-110',
        status: 'ACTIVE',
        sealed: false,
        issuedDate: '2025-02-20',
        expirationDate: '2025-03-15',
        restrainedPerson: { lastName: 'Mouse', firstName: 'Mickey', dateOfBirth: '1988-11-18' },
      },
    ]);
  });

  it('narrows by court ORI, order type and status', async () => {
    const fresno = await addOrder(h, { last: 'Mouse', orderType: 'DV-110' });
    const sanDiego = await addOrder(h, { last: 'Mouse', orderType: 'CH-110', court: { county: 'San Diego', ori: OTHER_COURT_ORI } });
    await h.order(command('CancelOrder', { orderId: fresno, reason: 'ENTERED_IN_ERROR' }));
    await h.project();
    const ids = async (criteria: Partial<OrderSearchCriteria>) => (await search(h, { lastName: 'Mouse', ...criteria })).items.map((i) => i.orderId);
    expect(await ids({ courtOris: [OTHER_COURT_ORI.toLowerCase()] })).toEqual([sanDiego]);
    expect(await ids({ orderTypes: ['DV-110'] })).toEqual([fresno]);
    expect(await ids({ statuses: ['ACTIVE'] })).toEqual([sanDiego]);
    expect(await ids({ statuses: ['CANCELLED'], courtOris: [COURT_ORI] })).toEqual([fresno]);
    expect(await ids({ orderTypes: ['DV-110'], statuses: ['ACTIVE'] })).toEqual([]);
  });

  it('leaves drafts out unless asked to include them', async () => {
    const draftId = randomUUID();
    await h.order(command('DraftOrder', { orderId: draftId, data: { ...fullOrderData(), restrainedPerson: { lastName: 'Draftee' }, protectedPersons: [] } }));
    await h.project();
    expect((await search(h, { lastName: 'Draftee' })).totalCount).toBe(0);
    const withDrafts = await search(h, { lastName: 'Draftee', includeDrafts: true });
    expect(withDrafts.items.map((i) => [i.orderId, i.status])).toEqual([[draftId, 'DRAFT']]);
    expect((await search(h, { lastName: 'Draftee', includeDrafts: true, statuses: ['ACTIVE'] })).totalCount).toBe(0);
  });

  it('hides sealed orders from a viewer without the sealed right, in results and in counts', async () => {
    await addOrder(h, { last: 'Mouse' });
    const sealed = await addOrder(h, { last: 'Mouse' });
    await h.order(command('SealOrder', { orderId: sealed, actor: actors.sealedClerk }));
    await h.project();
    const hidden = await search(h, { lastName: 'Mouse' }, 1, unsealedOnly);
    expect(hidden.totalCount).toBe(1);
    expect(hidden.items.map((i) => i.orderId)).not.toContain(sealed);
    const shown = await search(h, { lastName: 'Mouse' }, 1, everyone);
    expect(shown.totalCount).toBe(2);
    expect(shown.items.find((i) => i.orderId === sealed)?.sealed).toBe(true);

    await h.order(command('UnsealOrder', { orderId: sealed, actor: actors.sealedClerk }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse' }, 1, unsealedOnly)).totalCount).toBe(2);
  });

  it('reflects cancellation and expiry in the status shown and filtered on', async () => {
    const cancelled = await addOrder(h, { last: 'Mouse' });
    const expired = await addOrder(h, { last: 'Mouse' });
    await h.order(command('CancelOrder', { orderId: cancelled, reason: 'TERMINATED_BY_COURT' }));
    await h.order(command('ExpireOrder', { orderId: expired, asOfDate: '2025-03-16', actor: actors.worker }));
    await h.project();
    const statuses = Object.fromEntries((await search(h, { lastName: 'Mouse' })).items.map((i) => [i.orderId, i.status]));
    expect(statuses).toEqual({ [cancelled]: 'CANCELLED', [expired]: 'EXPIRED' });
    expect((await search(h, { lastName: 'Mouse', statuses: ['ACTIVE'] })).totalCount).toBe(0);
  });

  it('follows a modification that renames a person: the old name is no longer found', async () => {
    const id = await addOrder(h, { last: 'Mouse', first: 'Mickey' });
    await h.project();
    await h.order(command('ModifyOrder', { orderId: id, patch: { restrainedPerson: { lastName: 'Rat' } } }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse' })).totalCount).toBe(0);
    expect((await search(h, { lastName: 'Rat', firstName: 'Mickey' })).items.map((i) => [i.orderId, i.restrainedPerson.lastName])).toEqual([
      [id, 'Rat'],
    ]);
  });

  it('follows changes made in a later batch than the entry, touching person rows only when their names or repeated columns change', async () => {
    // The physical table: a row version's ctid shows whether it was written again.
    const persons = tableNames(orderSearchProjection, (await liveGeneration(h.db.pool, orderSearchProjection.name))!.generation).table('persons');
    const personRows = async (orderId: string) =>
      (await h.db.pool.query(`SELECT ctid::text, status, court_ori FROM ${persons} WHERE order_id = $1 ORDER BY ctid`, [orderId])).rows;
    const orders = persons.replace('_persons_', '_orders_');
    const orderRow = async (orderId: string) => (await h.db.pool.query(`SELECT ctid::text, revision FROM ${orders} WHERE order_id = $1`, [orderId])).rows;
    const id = await addOrder(h, { last: 'Mouse', caseNumber: 'FL-LATER-1' });
    await h.project();
    const entered = await personRows(id);
    // A new judge is nothing search keeps: neither the order row nor the person rows are written.
    const row = await orderRow(id);
    await h.order(command('ModifyOrder', { orderId: id, patch: { judge: 'Hon. Someone Else' } }));
    await h.project();
    expect(await orderRow(id)).toEqual(row);
    expect(await personRows(id)).toEqual(entered);
    // A case number correction changes the order row only.
    await h.order(command('ModifyOrder', { orderId: id, patch: { caseNumber: 'FL-LATER-2', hearingDate: '2025-04-01' } }));
    await h.project();
    expect((await search(h, { caseNumber: 'FL-LATER-2' })).items.map((i) => i.orderId)).toEqual([id]);
    expect((await search(h, { caseNumber: 'FL-LATER-1' })).totalCount).toBe(0);
    expect(await personRows(id)).toEqual(entered);
    // A change of court is repeated in every person row.
    await h.order(command('ModifyOrder', { orderId: id, patch: { court: { ...fullOrderData().court, ori: OTHER_COURT_ORI } } }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse', courtOris: [OTHER_COURT_ORI] })).items.map((i) => i.orderId)).toEqual([id]);
    expect(new Set((await personRows(id)).map((row) => row.court_ori))).toEqual(new Set([OTHER_COURT_ORI]));
    // A cancellation reaches the person rows the search filters on.
    await h.order(command('CancelOrder', { orderId: id, reason: 'TERMINATED_BY_COURT' }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse', statuses: ['ACTIVE'] })).totalCount).toBe(0);
    expect((await search(h, { lastName: 'Mouse', statuses: ['CANCELLED'] })).items.map((i) => [i.orderId, i.status])).toEqual([[id, 'CANCELLED']]);
  });

  it('keeps a sealed draft sealed when it is added in a later batch', async () => {
    const orderId = randomUUID();
    const data = orderData({ last: 'Mouse' });
    await h.order(command('DraftOrder', { orderId, data: { court: data.court, orderType: data.orderType, restrainedPerson: { lastName: 'Mouse' } }, actor: actors.sealedClerk }));
    await h.order(command('SealOrder', { orderId, actor: actors.sealedClerk }));
    await h.project();
    await h.order(command('AddOrder', { orderId, data, submitToCarpos: false, actor: actors.sealedClerk }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse' }, 1, unsealedOnly)).totalCount).toBe(0);
    expect((await search(h, { lastName: 'Mouse' }, 1, everyone)).items.map((i) => [i.orderId, i.status, i.sealed])).toEqual([[orderId, 'ACTIVE', true]]);
  });

  it('finds a cloned order under its own id beside its source', async () => {
    const source = await addOrder(h, { last: 'Mouse' });
    const cloneId = randomUUID();
    const sourceData = orderData({ last: 'Mouse' });
    await h.order(command('CloneOrder', { orderId: cloneId, source: { orderId: source, status: 'ACTIVE', data: sourceData }, submitToCarpos: false }));
    await h.project();
    expect((await search(h, { lastName: 'Mouse' })).items.map((i) => i.orderId).sort()).toEqual([source, cloneId].sort());
  });

  it('applies an event again without effect: a replayed older revision does not bring back an old name', async () => {
    const id = await addOrder(h, { last: 'Mouse' });
    await h.order(command('ModifyOrder', { orderId: id, patch: { restrainedPerson: { lastName: 'Rat' } } }));
    await h.project();
    const live = await liveGeneration(h.db.pool, orderSearchProjection.name);
    // In a transaction of its own, as the engine gives handlers.
    await inTransaction(h.db.pool, async (client) => {
      const ctx = { db: client, indexed: true, ...tableNames(orderSearchProjection, live!.generation) };
      for (const event of await h.store.readStream(`order-${id}`)) await orderSearchProjection.handle(ctx, event);
    });
    expect((await search(h, { lastName: 'Mouse' })).totalCount).toBe(0);
    expect((await search(h, { lastName: 'Rat' })).totalCount).toBe(1);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM order_search_persons WHERE order_id = $1', [id])).rows[0].n).toBe(2);
  });

  it('pages 25 at a time in a stable order: 60 matches are pages of 25, 25 and 10', async () => {
    for (let i = 0; i < 60; i++) await addOrder(h, { last: 'Mouse', first: `First${String(i % 7)}` });
    await h.project();
    const pages = [await search(h, { lastName: 'Mouse' }, 1), await search(h, { lastName: 'Mouse' }, 2), await search(h, { lastName: 'Mouse' }, 3)];
    expect(pages.map((p) => [p.totalCount, p.pageCount, p.page, p.items.length])).toEqual([
      [60, 3, 1, 25],
      [60, 3, 2, 25],
      [60, 3, 3, 10],
    ]);
    const items = pages.flatMap((p) => p.items);
    expect(new Set(items.map((i) => i.orderId)).size).toBe(60);
    const keys = items.map((i) => [i.restrainedPerson.firstName!, i.orderId]);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1)));
    const beyond = await search(h, { lastName: 'Mouse' }, 4);
    expect([beyond.totalCount, beyond.items]).toEqual([60, []]);
  });

  it('pages a wildcard that matches several names in the same stable order, also when one order matches by two names', async () => {
    // Enough matches that page 1 is read name by name and later pages by one sorted scan: both must agree with a plain sort.
    const expected: [string, string, string][] = [];
    for (let i = 0; i < 120; i++) {
      const last = ['Fanab', 'FANCD', 'fanef'][i % 3];
      const first = `F${String(i % 11).padStart(2, '0')}`;
      const twice = i % 10 === 0 ? [{ lastName: 'Fanzz', firstName: 'Also', sex: 'F' as const }] : undefined;
      const orderId = await addOrder(h, { last, first, protectedPersons: twice });
      expected.push([last.toLowerCase(), first.toLowerCase(), orderId]);
    }
    await h.project();
    expected.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
    const pages = [];
    for (let page = 1; page <= 5; page++) pages.push(await search(h, { lastName: 'FAN%' }, page));
    expect(pages.map((p) => [p.totalCount, p.totalCountIsExact, p.pageCount, p.items.length])).toEqual([
      [120, true, 5, 25],
      [120, true, 5, 25],
      [120, true, 5, 25],
      [120, true, 5, 25],
      [120, true, 5, 20],
    ]);
    expect(pages.flatMap((p) => p.items.map((item) => item.orderId))).toEqual(expected.map(([, , orderId]) => orderId));
  });

  it('rejects a search without any criterion, a page below 1 and a malformed date, naming field and rule', async () => {
    const violations = async (criteria: OrderSearchCriteria, page = 1) => {
      const error = await search(h, criteria, page).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).violations.map((v) => [v.field, v.rule]);
    };
    expect(await violations({ lastName: '  ', courtOris: [COURT_ORI] })).toEqual([['criteria', 'criterion_required']]);
    expect(await violations({ lastName: 'Mouse' }, 0)).toEqual([['page', 'page_from_one']]);
    expect(await violations({ dateOfBirth: '1988-02-30' })).toEqual([['dateOfBirth', 'date_format']]);
    expect(await violations({ lastName: 'Mouse', statuses: ['DRAFT'] })).toEqual([['statuses', 'drafts_not_included']]);
  });
});

describe('order search: totals beyond the count cap', () => {
  let h: ProjectionHarness;
  const courtOf = (ori: string) => ({ ...fullOrderData().court, ori });
  /** Writes orders straight through the projection's batch writer: thousands of commands would only slow the test. */
  async function writeMany(count: number, spec: OrderSpec): Promise<void> {
    const { generation } = (await liveGeneration(h.db.pool, orderSearchProjection.name))!;
    const names = tableNames(orderSearchProjection, generation);
    for (let done = 0; done < count; done += 2000) {
      const entries = Array.from({ length: Math.min(2000, count - done) }, () => {
        const data = orderData(spec);
        return { order: orderRow(randomUUID(), data, 'ACTIVE', false, 0n, new Date().toISOString()), data };
      });
      await inTransaction(h.db.pool, (client) => insertOrders(client, names, entries));
    }
    await h.db.pool.query(`ANALYZE ${names.table('persons')}`);
  }
  beforeAll(async () => {
    h = await projectionHarness(orderSearchProjection);
    await writeMany(COUNT_CAP + 5, { last: 'Capped' });
    await writeMany(30, { last: 'Capped', court: courtOf(OTHER_COURT_ORI) });
    // Thirteen names an order (the person and twelve aliases): more person rows than the count reads, fewer orders than the cap.
    await writeMany(800, { last: 'Dupli', aliases: Array.from({ length: 12 }, (_, i) => `Alias${i} Dupli`) });
  }, 120_000);
  afterAll(() => h.teardown());

  it(`counts exactly up to ${COUNT_CAP} orders and says "at least" beyond, still paging in order`, async () => {
    const broad = await search(h, { lastName: 'Capped' });
    expect([broad.totalCount, broad.totalCountIsExact, broad.pageCount, broad.items.length]).toEqual([COUNT_CAP, false, COUNT_CAP / 25, 25]);
    const wildcard = await search(h, { lastName: 'Cap%' }, 2);
    expect([wildcard.totalCount, wildcard.totalCountIsExact, wildcard.items.length]).toEqual([COUNT_CAP, false, 25]);
    const narrowed = await search(h, { lastName: 'Capped', courtOris: [OTHER_COURT_ORI] });
    expect([narrowed.totalCount, narrowed.totalCountIsExact, narrowed.pageCount]).toEqual([30, true, 2]);
  });

  it('counts an order found by several of its names once, even when that takes more rows than the capped count reads', async () => {
    const found = await search(h, { lastName: 'Dupli' });
    expect([found.totalCount, found.totalCountIsExact, found.pageCount]).toEqual([800, true, 32]);
    expect(new Set(found.items.map((item) => item.orderId)).size).toBe(25);
  });
});
