import type { OrderDetail } from '../orders/order-history';
import type { OrderStatus } from '../orders/order.events';
import { DomainError, ForbiddenError, NotFoundError } from '../shared/domain-error';

/**
 * The one authorisation policy (DESIGN §4), used by every resolver, the image endpoint and the
 * read-model queries. Pure: decisions come from the principal and the order's facts alone, so
 * the matrix test can prove them without a server. A "no" is a value, never an exception;
 * `toDomainError` turns it into the error every caller throws, so all paths deny alike.
 *
 * The rule that shapes everything: a sealed order must be indistinguishable from a missing one
 * to a user without a sealed role. Every order-bound decision therefore checks that first and
 * answers `not_found`, before any role check could answer `forbidden` and betray it.
 * Decisions use the order's CURRENT facts, also for history and as-of views: sealing an order
 * hides its past too.
 */

export const ROLES = [
  'QUERY_ONLY',
  'QUERY_ONLY_SEALED',
  'QUERY_UPDATE',
  'QUERY_UPDATE_SEALED',
  'ADMINISTRATOR',
  'SYSTEM_ADMINISTRATOR',
] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user. organisation is the ORI of their court or agency (upper case, as orders store it). */
export interface Principal {
  userId: string;
  organisation: string;
  roles: readonly Role[];
  cletsCertified: boolean;
}

/**
 * What the policy needs to know about an order. OrderState fits as it is; from a detail use
 * `orderFactsOf`. lock: needed only for force-unlock (an administrator of the holder's organisation).
 */
export interface OrderFacts {
  /** The originating court; null only for an order that does not exist yet. */
  courtOri: string | null;
  sealed: boolean;
  lock?: { holder: string; organisation: string } | null;
}

/** Actions on one existing order: the policy needs its facts. */
export const ORDER_ACTIONS = [
  'order.view',
  'order.viewImage',
  'order.viewHistory',
  'order.modify',
  'order.clone',
  'order.serve',
  'order.cancel',
  'order.attachImage',
  'order.lock',
  'order.unlock',
  'order.seal',
  'order.unseal',
  'order.forceUnlock',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** Actions that concern no single order. */
export const GLOBAL_ACTIONS = [
  'order.search',
  'order.draft',
  'order.quickAttach',
  /** Uploading an image, to attach it or quick-attach it next. */
  'image.upload',
  'lockedOrders.search',
  'organisations.create',
  'organisations.configure',
  'organisations.appointAdministrator',
  'projections.view',
  'carposQueue.manage',
] as const;
export type GlobalAction = (typeof GLOBAL_ACTIONS)[number];

/** Actions scoped to one organisation's records. */
export const ORGANISATION_ACTIONS = ['users.manage', 'accessLog.view', 'reports.view'] as const;
export type OrganisationAction = (typeof ORGANISATION_ACTIONS)[number];

/**
 * With an order or without: 'order.add' completes a draft (order given) or adds a new order;
 * 'carposMessages.view' opens the messages list (no order) or one order's messages.
 */
export const OPTIONAL_ORDER_ACTIONS = ['order.add', 'carposMessages.view'] as const;
export type OptionalOrderAction = (typeof OPTIONAL_ORDER_ACTIONS)[number];

export type Action = OrderAction | GlobalAction | OrganisationAction | OptionalOrderAction;

/** The extra argument each action needs, so a resolver cannot forget the order's facts. */
export type TargetOf<A extends Action> = A extends OrderAction
  ? [order: OrderFacts]
  : A extends OrganisationAction
    ? [target: { organisation: string }]
    : A extends OptionalOrderAction
      ? [order?: OrderFacts]
      : [];

export type Denial = { allowed: false; reason: 'not_found' | 'forbidden'; rule: string; message: string };
export type Decision = { allowed: true } | Denial;

export type Visibility = 'none' | 'existence' | 'full';

/** What a sealed-role user of another court learns about a sealed order (DESIGN §4), and nothing else. */
export interface ExistenceOnly {
  /** The handle clients need to refer to the row; an opaque id that says nothing about the order. */
  orderId: string;
  caseNumber: string | null;
  court: { county: string; ori: string };
  orderType: string;
  status: Exclude<OrderStatus, 'NONE'>;
  sealed: true;
}

/**
 * What the search needs. Structurally a projections' `SearchViewer` (the spec proves it), kept
 * here so the policy imports no database module.
 */
export interface SearchScope {
  /** False: sealed orders are filtered out before counting, so totals do not betray them either. */
  includeSealed: boolean;
  /** Courts whose sealed orders this viewer sees in full; other sealed rows go through `redactSearchItem`. */
  sealedDetailCourts: readonly string[];
}

/** A search result row as the order search lists it (OrderSearchItem fits). */
export interface SearchItem<Status extends string = string> {
  orderId: string;
  caseNumber: string | null;
  courtOri: string;
  county: string | null;
  orderType: string;
  status: Status;
  sealed: boolean;
  issuedDate: string | null;
  expirationDate: string | null;
  restrainedPerson: { lastName: string | null; firstName: string | null; dateOfBirth: string | null };
}

const QUERY_ROLES: readonly Role[] = ['QUERY_ONLY', 'QUERY_ONLY_SEALED', 'QUERY_UPDATE', 'QUERY_UPDATE_SEALED'];
const UPDATE_ROLES: readonly Role[] = ['QUERY_UPDATE', 'QUERY_UPDATE_SEALED'];
const SEALED_ROLES: readonly Role[] = ['QUERY_ONLY_SEALED', 'QUERY_UPDATE_SEALED'];

const hasAny = (principal: Principal, roles: readonly Role[]) => principal.roles.some((role) => roles.includes(role));
/** Update roles imply query (the guide: "everything QUERY ONLY users can do plus"). */
const hasQueryRole = (principal: Principal) => hasAny(principal, QUERY_ROLES);
const hasUpdateRole = (principal: Principal) => hasAny(principal, UPDATE_ROLES);
const hasSealedRole = (principal: Principal) => hasAny(principal, SEALED_ROLES);
const isOf = (principal: Principal, role: Role) => principal.roles.includes(role);
const ofOriginatingCourt = (principal: Principal, order: OrderFacts) =>
  order.courtOri !== null && principal.organisation === order.courtOri;

/**
 * Whether the principal may know the order exists at all. Only the sealed flag hides existence;
 * an unsealed order is no secret, so denying it is an honest `forbidden`.
 */
export function mayKnowExists(principal: Principal, order: OrderFacts): boolean {
  return !order.sealed || hasSealedRole(principal);
}

/**
 * How much of an order the principal sees (DESIGN §4). No query role (ADMINISTRATOR or
 * SYSTEM_ADMINISTRATOR alone) sees no order data.
 */
export function orderVisibility(principal: Principal, order: OrderFacts): Visibility {
  if (!hasQueryRole(principal)) return 'none';
  if (!order.sealed) return 'full';
  if (!hasSealedRole(principal)) return 'none';
  return ofOriginatingCourt(principal, order) ? 'full' : 'existence';
}

export function orderFactsOf(detail: Pick<OrderDetail, 'data' | 'sealed' | 'lock'>): OrderFacts {
  return { courtOri: detail.data.court.ori, sealed: detail.sealed, lock: detail.lock };
}

/** Built from an allow-list, so a field added to OrderDetail later stays hidden until someone decides otherwise. */
export function redactForExistence(detail: OrderDetail): ExistenceOnly {
  return {
    orderId: detail.orderId,
    caseNumber: detail.data.caseNumber ?? null,
    court: { county: detail.data.court.county, ori: detail.data.court.ori },
    orderType: detail.data.orderType,
    status: detail.status,
    sealed: true,
  };
}

export function isExistenceOnly(view: OrderDetail | ExistenceOnly): view is ExistenceOnly {
  return !('data' in view);
}

/**
 * The order as this principal may see it; undefined means answer NOT_FOUND exactly as for a
 * missing order. DOJ's answers (FCN, last CARPOS answer) are CARPOS data: CLETS-certified only.
 */
export function viewOrder(principal: Principal, detail: OrderDetail): OrderDetail | ExistenceOnly | undefined {
  switch (orderVisibility(principal, orderFactsOf(detail))) {
    case 'none':
      return undefined;
    case 'existence':
      return redactForExistence(detail);
    case 'full':
      return withCarposAsSeenBy(principal, detail);
  }
}

/** DOJ's answers (FCN, last answer, the answer events in a history) are for CLETS-certified users only (DESIGN §4). */
export function mayReadCarposAnswers(principal: Principal): boolean {
  return principal.cletsCertified;
}

/** The detail with DOJ's answers removed unless the principal may read them; for views already allowed in full. */
export function withCarposAsSeenBy(principal: Principal, detail: OrderDetail): OrderDetail {
  return mayReadCarposAnswers(principal)
    ? detail
    : { ...detail, carpos: { submitted: detail.carpos.submitted, fcn: null, lastAnswer: null } };
}

/**
 * The court a user may enter a new order for, or move an order to: their own organisation.
 * A sealed order's rights follow its court, so naming another court would hand that court's
 * sealed-update users an order they never entered.
 */
export function mayAssignCourt(principal: Principal, courtOri: string): Decision {
  return courtOri.trim().toUpperCase() === principal.organisation
    ? ALLOW
    : forbid('order.court.own_organisation_only', `orders are entered for the user's own court ${principal.organisation}, not ${courtOri}`);
}

/**
 * The search's view of sealed orders: a user without a sealed role never finds one (by any
 * criterion, nor in the count); a sealed-role user finds them, in full only for the own court.
 */
export function searchViewer(principal: Principal): SearchScope {
  const sealed = hasSealedRole(principal);
  return { includeSealed: sealed, sealedDetailCourts: sealed ? [principal.organisation] : [] };
}

/**
 * A search row as the viewer may see it: sealed rows of another court keep case number, court,
 * type and status only. Rows of sealed orders should not reach here for a viewer without
 * `includeSealed`; if one does, it is still stripped (defence in depth).
 */
export function redactSearchItem<Status extends string>(scope: SearchScope, item: SearchItem<Status>): SearchItem<Status> {
  if (!item.sealed || (scope.includeSealed && scope.sealedDetailCourts.includes(item.courtOri))) return item;
  return {
    orderId: item.orderId,
    caseNumber: item.caseNumber,
    courtOri: item.courtOri,
    county: item.county,
    orderType: item.orderType,
    status: item.status,
    sealed: true,
    issuedDate: null,
    expirationDate: null,
    restrainedPerson: { lastName: null, firstName: null, dateOfBirth: null },
  };
}

/**
 * Locked orders an ADMINISTRATOR lists: those held by users of the own organisation (the only
 * locks they may remove), sealed ones only for a sealed-role administrator. Undefined: not allowed.
 */
export function lockedOrdersScope(principal: Principal): { holderOrganisation: string; includeSealed: boolean } | undefined {
  if (!isOf(principal, 'ADMINISTRATOR')) return undefined;
  return { holderOrganisation: principal.organisation, includeSealed: hasSealedRole(principal) };
}

/** Whose access-log entries the principal reads: all for the operator, the own organisation's for an ADMINISTRATOR. */
export function accessLogScope(principal: Principal): { organisations: 'ALL' } | { organisations: readonly string[] } | undefined {
  if (isOf(principal, 'SYSTEM_ADMINISTRATOR')) return { organisations: 'ALL' };
  if (isOf(principal, 'ADMINISTRATOR')) return { organisations: [principal.organisation] };
  return undefined;
}

const ALLOW: Decision = { allowed: true };
const forbid = (rule: string, message: string): Denial => ({ allowed: false, reason: 'forbidden', rule, message });
/** Same words whatever the cause, so not even an internal log line separates sealed from missing. */
const NOT_FOUND: Denial = { allowed: false, reason: 'not_found', rule: 'not_found', message: 'not found' };

const SEALED_CHANGE_RULE = 'order.sealed.originating_court_sealed_update_required';

const needQuery = () => forbid('access.query_role_required', 'needs a query role (QUERY_ONLY, QUERY_ONLY_SEALED, QUERY_UPDATE or QUERY_UPDATE_SEALED)');
const needUpdate = () => forbid('access.update_role_required', 'needs an update role (QUERY_UPDATE or QUERY_UPDATE_SEALED)');
const needAdministrator = () => forbid('access.administrator_required', 'needs the ADMINISTRATOR role');
const needSystemAdministrator = () => forbid('access.system_administrator_required', 'needs the SYSTEM_ADMINISTRATOR role');
const needClets = () => forbid('access.clets_certification_required', 'CARPOS messages are for CLETS-certified users only');

/** Details of a sealed order: a sealed-role user of the originating court only. */
function needFull(principal: Principal, order: OrderFacts): Decision {
  if (!hasQueryRole(principal)) return needQuery();
  if (orderVisibility(principal, order) !== 'full') {
    return forbid(
      'order.sealed.details_originating_court_only',
      `details and images of a sealed order are for sealed-role users of the originating court ${order.courtOri}`,
    );
  }
  return ALLOW;
}

/** Changing an order: an update role; a sealed order only by QUERY_UPDATE_SEALED of its court (same rule as the decider). */
function needChange(principal: Principal, order: OrderFacts): Decision {
  if (!hasUpdateRole(principal)) return needUpdate();
  if (order.sealed) return needSealedUpdaterOfCourt(principal, order);
  return ALLOW;
}

function needSealedUpdaterOfCourt(principal: Principal, order: OrderFacts): Decision {
  if (isOf(principal, 'QUERY_UPDATE_SEALED') && ofOriginatingCourt(principal, order)) return ALLOW;
  return forbid(
    SEALED_CHANGE_RULE,
    `only a QUERY_UPDATE_SEALED user of the originating court ${order.courtOri} may seal, unseal or change a sealed order`,
  );
}

function decideOnOrder(principal: Principal, action: OrderAction | OptionalOrderAction, order: OrderFacts): Decision {
  // First, before any role check: a hidden order answers exactly like a missing one.
  if (!mayKnowExists(principal, order)) return NOT_FOUND;
  switch (action) {
    case 'order.view':
      return hasQueryRole(principal) ? ALLOW : needQuery();
    case 'order.viewImage':
    case 'order.viewHistory':
      return needFull(principal, order);
    case 'order.add': // completing a draft changes it
    case 'order.modify':
    case 'order.serve':
    case 'order.cancel':
    case 'order.attachImage':
    case 'order.lock':
    case 'order.unlock': // the holder's own release; someone else's lock is 'order.forceUnlock'
      return needChange(principal, order);
    case 'order.clone': {
      // A clone copies the source's data, so it needs the source in full; a sealed source is
      // acted on only by those who may change it (the copy is not sealed automatically).
      if (!hasUpdateRole(principal)) return needUpdate();
      return order.sealed ? needSealedUpdaterOfCourt(principal, order) : needFull(principal, order);
    }
    case 'order.seal':
    case 'order.unseal':
      return needSealedUpdaterOfCourt(principal, order);
    case 'order.forceUnlock':
      if (!isOf(principal, 'ADMINISTRATOR')) return needAdministrator();
      if (order.lock && order.lock.organisation !== principal.organisation) {
        return forbid(
          'order.lock.holder_or_administrator_required',
          `only ${order.lock.holder} or an ADMINISTRATOR of ${order.lock.organisation} may remove this lock`,
        );
      }
      return ALLOW;
    case 'carposMessages.view':
      // An answer echoes order data, so it follows the details rule as well as the CLETS one.
      if (!principal.cletsCertified) return needClets();
      return needFull(principal, order);
  }
}

function decideGlobal(principal: Principal, action: GlobalAction | OptionalOrderAction): Decision {
  switch (action) {
    case 'order.search':
      return hasQueryRole(principal) ? ALLOW : needQuery();
    case 'order.draft':
    case 'order.add':
    case 'order.quickAttach':
    case 'image.upload':
      return hasUpdateRole(principal) ? ALLOW : needUpdate();
    case 'lockedOrders.search':
      return isOf(principal, 'ADMINISTRATOR') ? ALLOW : needAdministrator();
    case 'carposMessages.view':
      if (!principal.cletsCertified) return needClets();
      return hasQueryRole(principal) ? ALLOW : needQuery();
    case 'organisations.create':
    case 'organisations.configure':
    case 'organisations.appointAdministrator':
      return isOf(principal, 'SYSTEM_ADMINISTRATOR') ? ALLOW : needSystemAdministrator();
    case 'carposQueue.manage':
      // The queue names TCNs and order ids only; watching and retrying it is the registry operator's job.
      return isOf(principal, 'SYSTEM_ADMINISTRATOR') ? ALLOW : needSystemAdministrator();
    case 'projections.view':
      // Versions, checkpoints and lag hold no order data; a court administrator may see why a new order is not yet searchable.
      return isOf(principal, 'SYSTEM_ADMINISTRATOR') || isOf(principal, 'ADMINISTRATOR')
        ? ALLOW
        : forbid('access.administrator_required', 'needs the ADMINISTRATOR or SYSTEM_ADMINISTRATOR role');
  }
}

function decideForOrganisation(principal: Principal, action: OrganisationAction, target: { organisation: string }): Decision {
  const own = target.organisation === principal.organisation;
  switch (action) {
    case 'users.manage':
      if (!isOf(principal, 'ADMINISTRATOR')) return needAdministrator();
      return own ? ALLOW : forbid('access.own_organisation_only', `an ADMINISTRATOR manages users of ${principal.organisation} only`);
    case 'accessLog.view':
      if (isOf(principal, 'SYSTEM_ADMINISTRATOR')) return ALLOW;
      if (!isOf(principal, 'ADMINISTRATOR')) return needAdministrator();
      return own ? ALLOW : forbid('access.own_organisation_only', `an ADMINISTRATOR reads the access log of ${principal.organisation} only`);
    case 'reports.view':
      // Monthly figures count orders and name staff, never an order or a person: the court's own
      // staff who use the registry, its administrator, and the operator who distributes them.
      if (isOf(principal, 'SYSTEM_ADMINISTRATOR')) return ALLOW;
      if (!hasQueryRole(principal) && !isOf(principal, 'ADMINISTRATOR')) {
        return forbid('access.query_role_or_administrator_required', 'needs a query role or the ADMINISTRATOR role');
      }
      return own ? ALLOW : forbid('access.own_organisation_only', `reports are for ${principal.organisation}'s own court only`);
  }
}

/** What the policy needs to know about a quick attach: the county it was entered in. */
export interface QuickAttachFacts {
  county: string;
}

/** Adding one (order.quickAttach) and searching concern no quick attach; viewing and converting concern one. */
export type QuickAttachAction = 'order.quickAttach' | 'quickAttach.search' | 'quickAttach.view' | 'quickAttach.convert';
type QuickAttachTarget<A extends QuickAttachAction> = A extends 'quickAttach.view' | 'quickAttach.convert' ? [quickAttach: QuickAttachFacts] : [];

const sameCounty = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Quick attaches are kept per county (DESIGN §6): added, found, opened (their image too) and
 * converted only by users whose organisation is in the county they were entered in. To anyone
 * else one does not exist: `not_found`, as for a hidden order, before any role check. `county`
 * is the county of the principal's organisation; an organisation without one has no quick
 * attaches. A converted quick attach's image is the order's: its download follows the order.
 */
export function canQuickAttach<A extends QuickAttachAction>(
  principal: Principal,
  county: string | null,
  action: A,
  ...target: QuickAttachTarget<A>
): Decision {
  const [quickAttach] = target as [QuickAttachFacts | undefined];
  if (quickAttach && !sameCounty(county, quickAttach.county)) return NOT_FOUND;
  const byRole =
    action === 'order.quickAttach' ? decideGlobal(principal, action)
    : action === 'quickAttach.convert' ? (hasUpdateRole(principal) ? ALLOW : needUpdate())
    : hasQueryRole(principal) ? ALLOW : needQuery();
  if (!byRole.allowed || county !== null) return byRole;
  return forbid('quickAttach.county_required', `quick attaches are kept per county, and organisation ${principal.organisation} has none`);
}

/** A quick attach as a search lists it (QuickAttachItem fits). */
export interface QuickAttachListing {
  /** Converted into an order that is now sealed. */
  orderSealed: boolean;
  caseNumber: string | null;
  restrainedPerson: { lastName: string | null; firstName: string | null };
  notes: string | null;
  image: object | null;
}

/**
 * A quick attach converted into an order that is now sealed: its index data and image are that
 * order's details, so only the fact of the conversion remains. Such rows reach only viewers who
 * may know sealed orders exist (`searchViewer(...).includeSealed`); the order itself says more
 * to those who may see it.
 */
export function redactQuickAttach<T extends QuickAttachListing>(item: T): T {
  if (!item.orderSealed) return item;
  return { ...item, caseNumber: null, restrainedPerson: { lastName: null, firstName: null }, notes: null, image: null };
}

const isOrderAction = (action: Action): action is OrderAction => (ORDER_ACTIONS as readonly string[]).includes(action);
const isOrganisationAction = (action: Action): action is OrganisationAction =>
  (ORGANISATION_ACTIONS as readonly string[]).includes(action);

/** May the principal do `action` (on that order / for that organisation)? Never throws for "no". */
export function can<A extends Action>(principal: Principal, action: A, ...target: TargetOf<A>): Decision {
  const [subject] = target as [OrderFacts | { organisation: string } | undefined];
  if (isOrganisationAction(action)) return decideForOrganisation(principal, action, subject as { organisation: string });
  if (isOrderAction(action)) return decideOnOrder(principal, action, subject as OrderFacts);
  const optional = action as GlobalAction | OptionalOrderAction;
  return subject && (OPTIONAL_ORDER_ACTIONS as readonly string[]).includes(optional)
    ? decideOnOrder(principal, optional as OptionalOrderAction, subject as OrderFacts)
    : decideGlobal(principal, optional);
}

/**
 * The error for a denial, identical on every path: not_found is the very NotFoundError a missing
 * record gives (no rule or wording of its own); forbidden names the broken rule.
 */
export function toDomainError(denial: Denial, what: string, id: string): DomainError {
  return denial.reason === 'not_found' ? new NotFoundError(what, id) : new ForbiddenError(denial.rule, denial.message);
}
