import fc from 'fast-check';
import type { OrderSearchItem, SearchViewer } from '../../projections/order-search/order-search.query';
import { COURT_ORI, fullOrderData, ORDER_ID, OTHER_COURT_ORI } from '../orders/order.fixtures.spec';
import type { OrderDetail } from '../orders/order-history';
import { initialOrderState } from '../orders/order.events';
import { ForbiddenError, NotFoundError } from '../shared/domain-error';
import {
  accessLogScope,
  Action,
  can,
  canQuickAttach,
  Decision,
  Denial,
  GLOBAL_ACTIONS,
  isExistenceOnly,
  lockedOrdersScope,
  mayAssignCourt,
  OPTIONAL_ORDER_ACTIONS,
  ORDER_ACTIONS,
  OrderAction,
  ORGANISATION_ACTIONS,
  OrganisationAction,
  OrderFacts,
  orderFactsOf,
  QuickAttachAction,
  orderVisibility,
  Principal,
  redactForExistence,
  redactQuickAttach,
  redactSearchItem,
  Role,
  ROLES,
  searchViewer,
  toDomainError,
  viewOrder,
  Visibility,
} from './access-policy';

/*
 * DESIGN §4 written as grids: for each path, WHO may take it in each of the four situations an
 * order can be in for a user. The expected outcome of every (roles × situation × path) cell is
 * read off the grid; a "no" is not_found exactly when the order is sealed and the user holds no
 * sealed role (they may not learn it exists), forbidden otherwise.
 */

const hasAny = (p: Principal, roles: Role[]) => p.roles.some((r) => roles.includes(r));
const anyQueryRole = (p: Principal) => hasAny(p, ['QUERY_ONLY', 'QUERY_ONLY_SEALED', 'QUERY_UPDATE', 'QUERY_UPDATE_SEALED']);
const aSealedRole = (p: Principal) => hasAny(p, ['QUERY_ONLY_SEALED', 'QUERY_UPDATE_SEALED']);
const WHO = {
  'any query role': anyQueryRole,
  'an update role': (p: Principal) => hasAny(p, ['QUERY_UPDATE', 'QUERY_UPDATE_SEALED']),
  'a sealed role': aSealedRole,
  QUERY_UPDATE_SEALED: (p: Principal) => hasAny(p, ['QUERY_UPDATE_SEALED']),
  ADMINISTRATOR: (p: Principal) => hasAny(p, ['ADMINISTRATOR']),
  'ADMINISTRATOR with a sealed role': (p: Principal) => hasAny(p, ['ADMINISTRATOR']) && aSealedRole(p),
  SYSTEM_ADMINISTRATOR: (p: Principal) => hasAny(p, ['SYSTEM_ADMINISTRATOR']),
  'ADMINISTRATOR or SYSTEM_ADMINISTRATOR': (p: Principal) => hasAny(p, ['ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR']),
  'any query role, ADMINISTRATOR or SYSTEM_ADMINISTRATOR': (p: Principal) => anyQueryRole(p) || hasAny(p, ['ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR']),
  'CLETS-certified with any query role': (p: Principal) => p.cletsCertified && anyQueryRole(p),
  'CLETS-certified with a sealed role': (p: Principal) => p.cletsCertified && aSealedRole(p),
  nobody: () => false,
} satisfies Record<string, (p: Principal) => boolean>;
type Who = keyof typeof WHO;

const SITUATIONS = ['unsealed, own court', 'unsealed, other court', 'sealed, own court', 'sealed, other court'] as const;
type Situation = (typeof SITUATIONS)[number];
type Grid<T> = Record<Situation, T>;
const row = <T>(unsealedOwn: T, unsealedOther: T, sealedOwn: T, sealedOther: T): Grid<T> => ({
  'unsealed, own court': unsealedOwn,
  'unsealed, other court': unsealedOther,
  'sealed, own court': sealedOwn,
  'sealed, other court': sealedOther,
});

type OrderPath = OrderAction | 'order.add' | 'carposMessages.view';

//                                    unsealed·own      unsealed·other    sealed·own               sealed·other
const WHO_MAY: Record<OrderPath, Grid<Who>> = {
  'order.view': /*                */ row('any query role', 'any query role', 'a sealed role', 'a sealed role'),
  'order.viewImage': /*           */ row('any query role', 'any query role', 'a sealed role', 'nobody'),
  'order.viewHistory': /*         */ row('any query role', 'any query role', 'a sealed role', 'nobody'),
  'order.add': /* from a draft    */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.modify': /*              */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.clone': /*               */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.serve': /*               */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.cancel': /*              */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.attachImage': /*         */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.lock': /*                */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.unlock': /* own lock     */ row('an update role', 'an update role', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.seal': /*                */ row('QUERY_UPDATE_SEALED', 'nobody', 'QUERY_UPDATE_SEALED', 'nobody'),
  'order.unseal': /*              */ row('QUERY_UPDATE_SEALED', 'nobody', 'QUERY_UPDATE_SEALED', 'nobody'),
  // A lock held by a user of the administrator's own organisation.
  'order.forceUnlock': /*         */ row('ADMINISTRATOR', 'ADMINISTRATOR', 'ADMINISTRATOR with a sealed role', 'ADMINISTRATOR with a sealed role'),
  'carposMessages.view': /*       */ row(
    'CLETS-certified with any query role',
    'CLETS-certified with any query role',
    'CLETS-certified with a sealed role',
    'nobody',
  ),
};

/** What a user sees of the order (view, search): [how much, who]. Everyone else: nothing. */
const SEES: Grid<[Exclude<Visibility, 'none'>, Who]> = row(
  ['full', 'any query role'],
  ['full', 'any query role'],
  ['full', 'a sealed role'],
  ['existence', 'a sealed role'],
);

const ROLE_SETS: Role[][] = [
  [],
  ['QUERY_ONLY'],
  ['QUERY_ONLY_SEALED'],
  ['QUERY_UPDATE'],
  ['QUERY_UPDATE_SEALED'],
  ['ADMINISTRATOR'],
  ['SYSTEM_ADMINISTRATOR'],
  ['ADMINISTRATOR', 'QUERY_UPDATE'],
  ['ADMINISTRATOR', 'QUERY_UPDATE_SEALED'],
  ['ADMINISTRATOR', 'QUERY_ONLY_SEALED'],
  ['QUERY_ONLY_SEALED', 'QUERY_UPDATE'],
  ['SYSTEM_ADMINISTRATOR', 'QUERY_ONLY'],
];

const principal = (roles: Role[], cletsCertified = true, organisation = COURT_ORI): Principal => ({
  userId: 'user-1',
  organisation,
  roles,
  cletsCertified,
});

const isSealed = (situation: Situation) => situation.startsWith('sealed');
function facts(situation: Situation): OrderFacts {
  return {
    courtOri: situation.endsWith('own court') ? COURT_ORI : OTHER_COURT_ORI,
    sealed: isSealed(situation),
    // Held by a colleague of the principal (same organisation), for force-unlock.
    lock: { holder: 'colleague', organisation: COURT_ORI },
  };
}

const STAMP = { at: '2025-03-01T10:00:00.000Z', userId: 'clerk-1', organisation: COURT_ORI };
function detail(courtOri: string, sealed: boolean): OrderDetail {
  const data = fullOrderData();
  data.court = { county: courtOri === COURT_ORI ? 'Fresno' : 'Los Angeles', ori: courtOri };
  return {
    orderId: ORDER_ID,
    revision: 7,
    status: 'ACTIVE',
    sealed,
    data,
    services: [{ servedAt: '2025-02-21T09:00:00.000Z', method: 'PERSONAL', servedBy: 'Deputy Doe', agency: 'Fresno SO' }],
    images: [{ sha256: 'ab'.repeat(32), contentType: 'application/pdf', sizeBytes: 1000 }],
    lock: null,
    carpos: {
      submitted: true,
      fcn: '1234567890123',
      lastAnswer: {
        accepted: false, transactionType: 'MODIFY', tcn: 'T2', fcn: null, code: 'E42', message: 'INVALID RACE',
        inputEcho: 'MKE/EPO/MOUSE,MICKEY', answeredAt: '2025-03-01T10:05:00.000Z',
      },
    },
    cancellation: null,
    clonedFrom: null,
    created: STAMP,
    updated: STAMP,
  };
}
const detailIn = (situation: Situation) => detail(facts(situation).courtOri!, isSealed(situation));

function searchRow(d: OrderDetail): OrderSearchItem {
  return {
    orderId: d.orderId,
    caseNumber: d.data.caseNumber ?? null,
    courtOri: d.data.court.ori,
    county: d.data.court.county,
    orderType: d.data.orderType,
    status: 'ACTIVE',
    sealed: d.sealed,
    issuedDate: d.data.issuedDate ?? null,
    expirationDate: d.data.expirationDate ?? null,
    restrainedPerson: { lastName: 'Mouse', firstName: 'Mickey', dateOfBirth: '1988-11-18' },
  };
}

/** The search as order-search.query.ts runs it: the SQL filter on includeSealed, then the row redaction. */
function whatSearchShows(p: Principal, d: OrderDetail): Visibility {
  if (!can(p, 'order.search').allowed) return 'none';
  const scope = searchViewer(p);
  const viewer: SearchViewer = scope; // the policy's answer is what the search query takes
  if (d.sealed && !viewer.includeSealed) return 'none';
  const row = searchRow(d);
  const shown: OrderSearchItem = redactSearchItem(scope, row);
  if (JSON.stringify(shown) === JSON.stringify(row)) return 'full';
  // Existence: exactly case number, court, type and status (and the id) survive.
  expect(shown).toEqual({
    ...row,
    issuedDate: null,
    expirationDate: null,
    restrainedPerson: { lastName: null, firstName: null, dateOfBirth: null },
  });
  return 'existence';
}

/** What viewOrder handed back, measured by what it contains. */
function whatViewShows(p: Principal, d: OrderDetail): Visibility {
  const shown = viewOrder(p, d);
  if (shown === undefined) return 'none';
  if (!isExistenceOnly(shown)) return 'full';
  expect(Object.keys(shown).sort()).toEqual(['caseNumber', 'court', 'orderId', 'orderType', 'sealed', 'status']);
  return 'existence';
}

type Outcome = 'allowed' | 'not_found' | 'forbidden';
const outcomeOf = (d: Decision): Outcome => (d.allowed ? 'allowed' : d.reason);
const expectedOutcome = (p: Principal, situation: Situation, who: Who): Outcome =>
  WHO[who](p) ? 'allowed' : isSealed(situation) && !aSealedRole(p) ? 'not_found' : 'forbidden';
const expectedVisibility = (p: Principal, situation: Situation): Visibility =>
  WHO[SEES[situation][1]](p) ? SEES[situation][0] : 'none';

const label = (roles: Role[], clets = true) => `${roles.length ? roles.join('+') : 'no role'}${clets ? '' : ' (not CLETS)'}`;

describe('access policy matrix (DESIGN §4): role × organisation × sealed × path', () => {
  const actionCells = ROLE_SETS.flatMap((roles) =>
    SITUATIONS.flatMap((situation) =>
      (Object.keys(WHO_MAY) as OrderPath[]).flatMap((path) =>
        (path === 'carposMessages.view' ? [true, false] : [true]).map((clets) => {
          const p = principal(roles, clets);
          const who = WHO_MAY[path][situation];
          return { path, situation, who, roles: label(roles, clets), p, expected: expectedOutcome(p, situation, who) };
        }),
      ),
    ),
  );

  it.each(actionCells)('$path on a $situation order needs $who: $roles → $expected', ({ path, situation, p, expected }) => {
    expect(outcomeOf(can(p, path, facts(situation)))).toBe(expected);
  });

  const visibilityCells = ROLE_SETS.flatMap((roles) =>
    SITUATIONS.map((situation) => {
      const p = principal(roles);
      const [how, who] = SEES[situation];
      return { situation, how, who, roles: label(roles), p, expected: expectedVisibility(p, situation) };
    }),
  );

  it.each(visibilityCells)(
    'a $situation order is seen $how by $who only (orderVisibility, viewOrder, search): $roles → $expected',
    ({ situation, p, expected }) => {
      const d = detailIn(situation);
      expect(orderVisibility(p, facts(situation))).toBe(expected);
      expect(whatViewShows(p, d)).toBe(expected);
      expect(whatSearchShows(p, d)).toBe(expected);
    },
  );
});

describe('actions that concern no single order', () => {
  type Global = Exclude<Action, OrderAction>;
  const isOrganisationAction = (action: Global): action is OrganisationAction => (ORGANISATION_ACTIONS as readonly string[]).includes(action);
  // [action, target organisation (for organisation-scoped actions), who]
  const GLOBAL_RULES: [Global, 'own' | 'other' | undefined, Who][] = [
    ['order.search', undefined, 'any query role'],
    ['order.draft', undefined, 'an update role'],
    ['order.add', undefined, 'an update role'],
    ['order.quickAttach', undefined, 'an update role'],
    ['image.upload', undefined, 'an update role'],
    ['lockedOrders.search', undefined, 'ADMINISTRATOR'],
    ['carposMessages.view', undefined, 'CLETS-certified with any query role'],
    ['organisations.create', undefined, 'SYSTEM_ADMINISTRATOR'],
    ['organisations.configure', undefined, 'SYSTEM_ADMINISTRATOR'],
    ['organisations.appointAdministrator', undefined, 'SYSTEM_ADMINISTRATOR'],
    ['projections.view', undefined, 'ADMINISTRATOR or SYSTEM_ADMINISTRATOR'],
    ['carposQueue.manage', undefined, 'SYSTEM_ADMINISTRATOR'],
    ['users.manage', 'own', 'ADMINISTRATOR'],
    ['users.manage', 'other', 'nobody'],
    ['accessLog.view', 'own', 'ADMINISTRATOR or SYSTEM_ADMINISTRATOR'],
    ['accessLog.view', 'other', 'SYSTEM_ADMINISTRATOR'],
    ['reports.view', 'own', 'any query role, ADMINISTRATOR or SYSTEM_ADMINISTRATOR'],
    ['reports.view', 'other', 'SYSTEM_ADMINISTRATOR'],
  ];
  const cells = GLOBAL_RULES.flatMap(([action, org, who]) =>
    ROLE_SETS.flatMap((roles) =>
      [true, false].map((clets) => {
        const p = principal(roles, clets);
        return { action, org: org ?? '-', who, roles: label(roles, clets), p, expected: WHO[who](p) ? 'allowed' : 'forbidden' };
      }),
    ),
  );

  it.each(cells)('$action (organisation: $org) needs $who: $roles → $expected', ({ action, org, p, expected }) => {
    const decision =
      isOrganisationAction(action)
        ? can(p, action, { organisation: org === 'own' ? COURT_ORI : OTHER_COURT_ORI })
        : can(p, action as Exclude<Global, OrganisationAction>);
    expect(outcomeOf(decision)).toBe(expected);
  });

  it('covers every global action in the rules table', () => {
    const covered = new Set(GLOBAL_RULES.map(([action]) => action));
    for (const action of [...GLOBAL_ACTIONS, ...OPTIONAL_ORDER_ACTIONS, ...ORGANISATION_ACTIONS] as Global[]) {
      expect(covered).toContain(action);
    }
  });
});

describe('Quick Attach: role × county (DESIGN §6)', () => {
  // The quick attach was entered in Fresno; the principal's organisation is in Fresno, in
  // another county, or has none. Outside the county it does not exist (not_found).
  type County = 'same county' | 'other county' | 'no county';
  const COUNTY: Record<County, string | null> = { 'same county': 'fresno ', 'other county': 'Los Angeles', 'no county': null };
  const QUICK_ATTACH_RULES: [QuickAttachAction, Who][] = [
    ['order.quickAttach', 'an update role'],
    ['quickAttach.search', 'any query role'],
    ['quickAttach.view', 'any query role'],
    ['quickAttach.convert', 'an update role'],
  ];
  const cells = QUICK_ATTACH_RULES.flatMap(([action, who]) =>
    ROLE_SETS.flatMap((roles) =>
      (Object.keys(COUNTY) as County[]).map((county) => {
        const p = principal(roles);
        const onOne = action === 'quickAttach.view' || action === 'quickAttach.convert';
        const expected: Outcome = onOne && county !== 'same county' ? 'not_found' : !WHO[who](p) ? 'forbidden' : county === 'no county' ? 'forbidden' : 'allowed';
        return { action, who, county, roles: label(roles), p, expected };
      }),
    ),
  );

  it.each(cells)('$action needs $who in the county: $roles, $county → $expected', ({ action, county, p, expected }) => {
    const decision = action === 'quickAttach.view' || action === 'quickAttach.convert'
      ? canQuickAttach(p, COUNTY[county], action, { county: 'Fresno' })
      : canQuickAttach(p, COUNTY[county], action as 'order.quickAttach' | 'quickAttach.search');
    expect(outcomeOf(decision)).toBe(expected);
  });

  it('names the missing county when the organisation has none', () => {
    expect(canQuickAttach(principal(['QUERY_UPDATE']), null, 'order.quickAttach')).toMatchObject({ reason: 'forbidden', rule: 'quickAttach.county_required' });
  });

  it('withholds index data and image of a quick attach whose order is now sealed, and nothing else', () => {
    const item = { orderSealed: false, caseNumber: 'FL-1', restrainedPerson: { lastName: 'Doe', firstName: 'J' }, notes: 'n', image: {}, quickAttachId: 'q' };
    expect(redactQuickAttach(item)).toBe(item);
    expect(redactQuickAttach({ ...item, orderSealed: true })).toEqual({
      orderSealed: true, caseNumber: null, restrainedPerson: { lastName: null, firstName: null }, notes: null, image: null, quickAttachId: 'q',
    });
  });
});

describe('details of the rules', () => {
  it('force-unlock of a lock held in another organisation is forbidden even for an ADMINISTRATOR', () => {
    const order: OrderFacts = { courtOri: COURT_ORI, sealed: false, lock: { holder: 'x', organisation: OTHER_COURT_ORI } };
    expect(can(principal(['ADMINISTRATOR']), 'order.forceUnlock', order)).toMatchObject({
      allowed: false,
      reason: 'forbidden',
      rule: 'order.lock.holder_or_administrator_required',
    });
  });

  it('QUERY_ONLY_SEALED plus QUERY_UPDATE of the originating court sees a sealed order but may not change it', () => {
    const p = principal(['QUERY_ONLY_SEALED', 'QUERY_UPDATE']);
    const order = facts('sealed, own court');
    expect(orderVisibility(p, order)).toBe('full');
    expect(can(p, 'order.modify', order)).toMatchObject({ reason: 'forbidden', rule: 'order.sealed.originating_court_sealed_update_required' });
  });

  it('takes the order state itself as its facts (a missing order, court null, is seen by any query role but sealed by none)', () => {
    const state = initialOrderState();
    expect(can(principal(['QUERY_ONLY']), 'order.view', state).allowed).toBe(true);
    expect(can(principal(['QUERY_UPDATE_SEALED']), 'order.seal', state).allowed).toBe(false);
    expect(orderVisibility(principal(['QUERY_UPDATE_SEALED']), { courtOri: null, sealed: true })).toBe('existence');
  });

  it('reads the facts of a detail from its court, sealed flag and lock', () => {
    const d = { ...detail(OTHER_COURT_ORI, true), lock: { holder: 'h', organisation: COURT_ORI, expiresAt: STAMP.at } };
    expect(orderFactsOf(d)).toEqual({ courtOri: OTHER_COURT_ORI, sealed: true, lock: d.lock });
  });

  it('the existence view holds case number, court, type, status, sealed and the id, nothing else', () => {
    const shown = redactForExistence(detail(OTHER_COURT_ORI, true));
    expect(shown).toEqual({
      orderId: ORDER_ID,
      caseNumber: 'FL-2025-000123',
      court: { county: 'Los Angeles', ori: OTHER_COURT_ORI },
      orderType: 'DV-110',
      status: 'ACTIVE',
      sealed: true,
    });
    expect(JSON.stringify(shown)).not.toMatch(/Mouse|Mickey|1988|1234567890123|ab{2}/);
  });

  it('a sealed-role user of another court gets the existence view from viewOrder', () => {
    expect(viewOrder(principal(['QUERY_UPDATE_SEALED']), detail(OTHER_COURT_ORI, true))).toEqual(redactForExistence(detail(OTHER_COURT_ORI, true)));
  });

  it('DOJ answers in the order detail (FCN, last answer) are shown to CLETS-certified users only', () => {
    const d = detail(COURT_ORI, false);
    expect(viewOrder(principal(['QUERY_ONLY'], true), d)).toBe(d);
    expect(viewOrder(principal(['QUERY_ONLY'], false), d)).toEqual({ ...d, carpos: { submitted: true, fcn: null, lastAnswer: null } });
  });

  it('new orders are entered for, and orders moved to, the user’s own court only (ORI compared case-insensitively)', () => {
    expect(mayAssignCourt(principal(['QUERY_UPDATE']), COURT_ORI.toLowerCase())).toEqual({ allowed: true });
    expect(mayAssignCourt(principal(['QUERY_UPDATE_SEALED']), OTHER_COURT_ORI)).toMatchObject({
      allowed: false,
      reason: 'forbidden',
      rule: 'order.court.own_organisation_only',
    });
  });

  it('the search scope: sealed orders only for a sealed role, in full only for the own court', () => {
    expect(searchViewer(principal(['QUERY_UPDATE']))).toEqual({ includeSealed: false, sealedDetailCourts: [] });
    expect(searchViewer(principal(['QUERY_ONLY_SEALED']))).toEqual({ includeSealed: true, sealedDetailCourts: [COURT_ORI] });
    expect(searchViewer(principal(['ADMINISTRATOR', 'SYSTEM_ADMINISTRATOR']))).toEqual({ includeSealed: false, sealedDetailCourts: [] });
  });

  it('a sealed search row that reaches a viewer without includeSealed is still stripped', () => {
    const shown = redactSearchItem({ includeSealed: false, sealedDetailCourts: [COURT_ORI] }, searchRow(detail(COURT_ORI, true)));
    expect(shown.restrainedPerson).toEqual({ lastName: null, firstName: null, dateOfBirth: null });
    expect(shown.issuedDate).toBeNull();
  });

  it('locked orders: an ADMINISTRATOR lists the own organisation’s locks, sealed ones only with a sealed role', () => {
    expect(lockedOrdersScope(principal(['QUERY_UPDATE']))).toBeUndefined();
    expect(lockedOrdersScope(principal(['ADMINISTRATOR']))).toEqual({ holderOrganisation: COURT_ORI, includeSealed: false });
    expect(lockedOrdersScope(principal(['ADMINISTRATOR', 'QUERY_ONLY_SEALED']))).toEqual({ holderOrganisation: COURT_ORI, includeSealed: true });
  });

  it('access log: the operator reads all organisations, an ADMINISTRATOR the own, others nothing', () => {
    expect(accessLogScope(principal(['SYSTEM_ADMINISTRATOR']))).toEqual({ organisations: 'ALL' });
    expect(accessLogScope(principal(['ADMINISTRATOR']))).toEqual({ organisations: [COURT_ORI] });
    expect(accessLogScope(principal(['QUERY_UPDATE_SEALED']))).toBeUndefined();
  });

  it('toDomainError: not_found is the very NotFoundError of a missing order; forbidden names the rule', () => {
    const hidden = can(principal(['QUERY_UPDATE']), 'order.view', facts('sealed, own court'));
    if (hidden.allowed) throw new Error('expected a denial');
    const error = toDomainError(hidden, 'order', ORDER_ID);
    expect(error).toBeInstanceOf(NotFoundError);
    expect({ code: error.code, rule: error.rule, message: error.message }).toEqual({
      code: 'NOT_FOUND', rule: 'not_found', message: new NotFoundError('order', ORDER_ID).message,
    });

    const refused = can(principal(['QUERY_ONLY']), 'order.modify', facts('unsealed, own court'));
    if (refused.allowed) throw new Error('expected a denial');
    const forbidden = toDomainError(refused, 'order', ORDER_ID);
    expect(forbidden).toBeInstanceOf(ForbiddenError);
    expect({ code: forbidden.code, rule: forbidden.rule }).toEqual({ code: 'FORBIDDEN', rule: 'access.update_role_required' });
  });
});

describe('properties', () => {
  const ORIS = [COURT_ORI, OTHER_COURT_ORI, 'CA0190100'];
  const SEALED_ROLES: Role[] = ['QUERY_ONLY_SEALED', 'QUERY_UPDATE_SEALED'];
  const oriArb = fc.constantFrom(...ORIS);
  const principalArb = (roles: readonly Role[] = ROLES) =>
    fc.record({
      userId: fc.constantFrom('user-1', 'user-2'),
      organisation: oriArb,
      roles: fc.subarray([...roles]),
      cletsCertified: fc.boolean(),
    });
  const orderArb = (sealed: fc.Arbitrary<boolean> = fc.boolean()) =>
    fc.record({
      courtOri: oriArb,
      sealed,
      lock: fc.option(fc.record({ holder: fc.constantFrom('user-1', 'user-2'), organisation: oriArb }), { nil: null }),
    });
  const ON_ORDER = [...ORDER_ACTIONS, ...OPTIONAL_ORDER_ACTIONS] as const;
  const onOrderArb = fc.constantFrom(...ON_ORDER);
  const detailOf = (order: OrderFacts) => detail(order.courtOri!, order.sealed);
  const every = (p: Principal, order: OrderFacts) => ON_ORDER.map((action) => ({ action, decision: can(p, action, order) }));

  it('(a) without a sealed role, every path on a sealed order answers not found and no search includes it', () => {
    fc.assert(
      fc.property(principalArb(ROLES.filter((r) => !SEALED_ROLES.includes(r))), orderArb(fc.constant(true)), (p, order) => {
        for (const { decision } of every(p, order)) expect(decision).toEqual({ allowed: false, reason: 'not_found', rule: 'not_found', message: 'not found' });
        expect(orderVisibility(p, order)).toBe('none');
        expect(viewOrder(p, detailOf(order))).toBeUndefined();
        expect(searchViewer(p).includeSealed).toBe(false);
        expect(whatSearchShows(p, detailOf(order))).toBe('none');
      }),
    );
  });

  it('(b) nobody of another court sees a sealed order in full, by any path', () => {
    fc.assert(
      fc.property(principalArb(), orderArb(fc.constant(true)), (p, order) => {
        fc.pre(p.organisation !== order.courtOri);
        expect(orderVisibility(p, order)).not.toBe('full');
        expect(whatViewShows(p, detailOf(order))).not.toBe('full');
        expect(whatSearchShows(p, detailOf(order))).not.toBe('full');
        for (const action of ['order.viewImage', 'order.viewHistory', 'order.clone', 'carposMessages.view'] as const) {
          expect(can(p, action, order).allowed).toBe(false);
        }
      }),
    );
  });

  it('(c) no decision says forbidden where the principal may not know the order exists', () => {
    fc.assert(
      fc.property(principalArb(), orderArb(), onOrderArb, (p, order, action) => {
        const decision = can(p, action, order);
        const mayKnow = !order.sealed || p.roles.some((r) => SEALED_ROLES.includes(r));
        if (!decision.allowed && decision.reason === 'forbidden') expect(mayKnow).toBe(true);
        if (!mayKnow) expect(toDomainError(decision as Denial, 'order', ORDER_ID).message).toBe(`order ${ORDER_ID} not found`);
      }),
    );
  });

  it('(d) only CLETS-certified principals see CARPOS messages, in the list, per order or in the detail', () => {
    fc.assert(
      fc.property(principalArb(), orderArb(), (p, order) => {
        if (can(p, 'carposMessages.view').allowed || can(p, 'carposMessages.view', order).allowed) expect(p.cletsCertified).toBe(true);
        const shown = viewOrder(p, detailOf(order));
        if (!p.cletsCertified && shown && !isExistenceOnly(shown)) expect(shown.carpos).toEqual({ submitted: true, fcn: null, lastAnswer: null });
      }),
    );
  });

  it('only QUERY_UPDATE_SEALED of the originating court changes, seals or unseals a sealed order', () => {
    const changes = ON_ORDER.filter((a) => !['order.view', 'order.viewImage', 'order.viewHistory', 'order.forceUnlock', 'carposMessages.view'].includes(a));
    fc.assert(
      fc.property(principalArb(), orderArb(fc.constant(true)), fc.constantFrom(...changes), (p, order, action) => {
        if (can(p, action, order).allowed) {
          expect(p.roles).toContain('QUERY_UPDATE_SEALED');
          expect(p.organisation).toBe(order.courtOri);
        }
      }),
    );
  });
});
