import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { allProjections } from '../../projections';
import { orderHistory } from '../../projections/audit-trail/audit-trail.query';
import { lockedOrders, LockedOrder } from '../../projections/locked-orders/locked-orders.query';
import { getOrderDetail } from '../../projections/order-detail/order-detail.query';
import { OrderSearchCriteria, OrderSearchPage, searchOrders } from '../../projections/order-search/order-search.query';
import { AccessAction, AccessLog } from '../access/access-log';
import {
  can,
  Decision,
  ExistenceOnly,
  lockedOrdersScope,
  mayAssignCourt,
  mayReadCarposAnswers,
  OrderAction,
  orderFactsOf,
  Principal,
  redactSearchItem,
  searchViewer,
  toDomainError,
  viewOrder,
  withCarposAsSeenBy,
} from '../access/access-policy';
import { ACCESS_LOG } from '../access/access.tokens';
import { ImageUploads } from '../images/image-uploads';
import { IMAGE_UPLOADS } from '../images/images.tokens';
import { CLOCK, Clock } from '../app/clock';
import { EVENT_STORE, POSTGRES } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import { commandIdFor } from '../command-handling/idempotency';
import { EventStore } from '../event-store/event-store.port';
import { PostgresConnection } from '../postgres/postgres-connection';
import { waitForPosition } from '../projection-engine/projection-status';
import { ForbiddenError, NotFoundError, ReadModelBehindError } from '../shared/domain-error';
import { AsOf, OrderDetail, orderAsOf } from './order-history';
import { OrderCommand } from './order.commands';
import { orderStream } from './order.decider';
import { OrderEvent, OrderState } from './order.events';
import { OrderDataPatch } from './order-data';

export type OrderCommands = CommandHandler<OrderCommand, OrderEvent, OrderState>;
export const ORDER_COMMANDS = Symbol('ORDER_COMMANDS');

/** The command fields the service fills in: who, when, which order. */
type Base = Pick<OrderCommand, 'orderId' | 'now' | 'actor'>;
/** Anything but those: what a caller builds a command from. */
type CommandBody = OrderCommand extends infer C ? (C extends OrderCommand ? Omit<C, keyof Base> : never) : never;

export interface Caller {
  principal: Principal;
  /** The client's address, for the access log. */
  client?: string;
}

export interface OrderMutationResult {
  orderId: string;
  revision: number;
  position: string;
  replayed: boolean;
  order: OrderDetail | ExistenceOnly | null;
}

export interface HistoryEntry extends Omit<Awaited<ReturnType<typeof orderHistory>>[number], 'position' | 'data'> {
  position: string;
  data: Record<string, unknown>;
}

/** New orders get ids derived from the command id, so a retried draft/add/clone lands on the same stream. */
const NEW_ORDER_NAMESPACE = '5f0c7b8e-4d0a-4c55-9a43-2a8c6f1e9b10';

/** The id of the order a draft, add or clone with this command id creates (so a retry lands on the same stream). */
function newOrderIdFor(commandId: string): string {
  return uuidv5(commandId, NEW_ORDER_NAMESPACE);
}
const READ_YOUR_WRITES_TIMEOUT_MS = 5000;
/** The expected revision of a stream that must not exist yet. */
const NEW_STREAM = -1;

/**
 * Every order action and read behind the GraphQL api: the one policy decides first, on the
 * order's current facts, then the decider rules on the order's own state. Reads are written to
 * the access log (DESIGN §9); writes are already in the event store with their actor.
 */
@Injectable()
export class OrderService {
  constructor(
    @Inject(ORDER_COMMANDS) private readonly commands: OrderCommands,
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLog,
    @Inject(IMAGE_UPLOADS) private readonly uploads: ImageUploads,
  ) {}

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Draft, add or clone: a new order of the user's own court. `orderId` names the order when the
   * caller must make at most one (a quick attach's conversion): another command then finds it
   * taken (CONFLICT) rather than completing someone else's draft; a retry of the same command
   * is still answered as before.
   */
  async create(
    { principal }: Caller,
    idempotencyKey: string,
    action: 'order.draft' | 'order.add',
    courtOri: string | null | undefined,
    body: CommandBody,
    orderId?: string,
  ): Promise<OrderMutationResult> {
    const commandId = commandIdFor(principal.userId, idempotencyKey);
    const id = orderId ?? newOrderIdFor(commandId);
    requireAllowed(can(principal, action), id);
    // Without a court the decider names the missing field; the policy needs one to judge.
    if (courtOri) requireAllowed(mayAssignCourt(principal, courtOri), id);
    return this.send(principal, id, commandId, orderId === undefined ? undefined : NEW_STREAM, body);
  }

  /** Clone: the source must be readable in full; the copy is a new order of the user's court. */
  async clone(caller: Caller, idempotencyKey: string, sourceOrderId: string, overrides: OrderDataPatch | undefined, submitToCarpos: boolean) {
    const source = await this.currentState(sourceOrderId);
    requireAllowed(can(caller.principal, 'order.clone', source), sourceOrderId);
    const court = overrides?.court?.ori ?? source.courtOri;
    return this.create(caller, idempotencyKey, 'order.add', court, {
      type: 'CloneOrder',
      source: { orderId: sourceOrderId, status: source.status, data: source.data },
      overrides,
      submitToCarpos,
    });
  }

  /**
   * A command on an existing order. `action` may depend on the order (unlocking someone
   * else's lock is a force-unlock); a court change must name the user's own court.
   */
  async change(
    { principal }: Caller,
    idempotencyKey: string,
    orderId: string,
    expectedRevision: number | undefined,
    action: OrderAction | 'order.add' | ((state: OrderState) => OrderAction),
    body: CommandBody,
    newCourtOri?: string | null,
  ): Promise<OrderMutationResult> {
    const state = await this.currentState(orderId);
    requireAllowed(can(principal, typeof action === 'function' ? action(state) : action, state), orderId);
    if (newCourtOri && newCourtOri.trim().toUpperCase() !== state.courtOri) requireAllowed(mayAssignCourt(principal, newCourtOri), orderId);
    return this.send(principal, orderId, commandIdFor(principal.userId, idempotencyKey), expectedRevision, body);
  }

  /**
   * Attaches an image uploaded by someone of the user's organisation: its type, size and pages
   * come from the upload record, never from the client.
   */
  async attachUploadedImage(caller: Caller, idempotencyKey: string, orderId: string, expectedRevision: number | undefined, imageId: string, fileName?: string) {
    const uploaded = await this.uploads.imageFor(imageId, caller.principal.organisation);
    if (!uploaded) throw new NotFoundError('image', imageId);
    const image = fileName === undefined ? uploaded : { ...uploaded, fileName };
    return this.change(caller, idempotencyKey, orderId, expectedRevision, 'order.attachImage', { type: 'AttachImage', image });
  }

  /** Whether unlocking is the holder's own release or an administrator's force (a lock that expired binds nobody). */
  unlockAction(principal: Principal): (state: OrderState) => OrderAction {
    return (state) =>
      state.lock && state.lock.holder !== principal.userId && Date.parse(state.lock.expiresAt) > this.clock.now().getTime()
        ? 'order.forceUnlock'
        : 'order.unlock';
  }

  private async send(
    principal: Principal,
    orderId: string,
    commandId: string,
    expectedRevision: number | undefined,
    body: CommandBody,
  ): Promise<OrderMutationResult> {
    const now = this.clock.now().toISOString();
    const { userId, organisation, roles } = principal;
    const command = { ...body, orderId, now, actor: { userId, organisation, roles } } as OrderCommand;
    const result = await this.commands.handle(orderStream(orderId), command, {
      commandId,
      actor: { userId, organisation, role: roles.join(',') },
      occurredAt: now,
      expectedRevision: expectedRevision === undefined ? undefined : BigInt(expectedRevision),
    });
    // The order exactly as this command left it, folded from the store (read models may lag).
    const detail = await orderAsOf(this.store, orderId, { revision: Number(result.revision) });
    return {
      orderId,
      revision: Number(result.revision),
      position: result.position.toString(),
      replayed: result.replayed,
      order: (detail && viewOrder(principal, detail)) ?? null,
    };
  }

  /** Policy decisions for commands use the event store's current state, never a read model that may lag. */
  private async currentState(orderId: string): Promise<OrderState> {
    const { state } = await this.commands.current(orderStream(orderId));
    if (state.status === 'NONE') throw new NotFoundError('order', orderId);
    return state;
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** Read-your-writes: returns once the read models have reached `position`, or refuses. */
  async waitFor(position: string | null | undefined): Promise<void> {
    if (position == null) return; // GraphQL passes an explicit null as null
    const reached = await waitForPosition(this.postgres.pool, this.store, allProjections, BigInt(position), {
      timeoutMs: READ_YOUR_WRITES_TIMEOUT_MS,
    });
    if (!reached) throw new ReadModelBehindError(position, READ_YOUR_WRITES_TIMEOUT_MS);
  }

  async search(caller: Caller, criteria: OrderSearchCriteria, page: number): Promise<OrderSearchPage> {
    const { principal } = caller;
    const decision = can(principal, 'order.search');
    if (!decision.allowed) {
      await this.log(caller, 'search', 'refused', null, { criteria, page, rule: decision.rule });
      throw toDomainError(decision, 'orders', 'search');
    }
    const scope = searchViewer(principal);
    const found = await searchOrders(this.postgres.pool, criteria, page, scope);
    await this.log(caller, 'search', 'ok', null, { criteria, page, totalCount: found.totalCount });
    return { ...found, items: found.items.map((item) => redactSearchItem(scope, item)) };
  }

  async view(caller: Caller, orderId: string): Promise<OrderDetail | ExistenceOnly> {
    const detail = await this.visible(caller, orderId, 'order.view', 'order_view');
    return viewOrder(caller.principal, detail)!;
  }

  async history(caller: Caller, orderId: string): Promise<HistoryEntry[]> {
    await this.visible(caller, orderId, 'order.viewHistory', 'history_view', { view: 'history' });
    const carpos = mayReadCarposAnswers(caller.principal);
    return (await orderHistory(this.postgres.pool, orderId)).map((entry) => ({
      ...entry,
      position: entry.position.toString(),
      data: !carpos && entry.type.startsWith('CarposTransaction') ? { withheld: 'DOJ answers are for CLETS-certified users only' } : entry.data,
    }));
  }

  /** Time travel for auditors: allowed as the history is (on the order's current facts), folded from the event store. */
  async asOf(caller: Caller, orderId: string, asOf: AsOf): Promise<OrderDetail> {
    await this.visible(caller, orderId, 'order.viewHistory', 'history_view', { view: 'asOf', ...asOf });
    const past = await orderAsOf(this.store, orderId, asOf);
    if (!past) throw new NotFoundError('order', orderId);
    return withCarposAsSeenBy(caller.principal, past);
  }

  async locked({ principal }: Caller): Promise<LockedOrder[]> {
    const scope = lockedOrdersScope(principal);
    if (!scope) throw new ForbiddenError('access.administrator_required', 'needs the ADMINISTRATOR role');
    const locks = await lockedOrders(this.postgres.pool, { organisation: scope.holderOrganisation, now: this.clock.now() });
    return locks.filter((lock) => scope.includeSealed || !lock.sealed);
  }

  /**
   * The current detail when the policy lets the caller take `action` on it; refused or missing
   * alike are logged and answered as the policy says (a hidden order exactly as a missing one).
   */
  private async visible(
    caller: Caller,
    orderId: string,
    action: OrderAction,
    logAs: AccessAction,
    details?: Record<string, unknown>,
  ): Promise<OrderDetail> {
    const detail = await getOrderDetail(this.postgres.pool, orderId);
    const decision = detail && can(caller.principal, action, orderFactsOf(detail));
    const allowed = decision?.allowed === true;
    await this.log(caller, logAs, allowed ? 'ok' : 'refused', orderId, allowed ? details : { ...details, rule: decision?.rule ?? 'not_found' });
    if (!detail) throw new NotFoundError('order', orderId);
    requireAllowed(decision!, orderId);
    return detail;
  }

  private log(caller: Caller, action: AccessAction, outcome: 'ok' | 'refused', target: string | null, details?: Record<string, unknown>) {
    return this.accessLog.recordFor(caller, this.clock.now(), { action, outcome, target, details });
  }
}

function requireAllowed(decision: Decision, orderId: string): void {
  if (!decision.allowed) throw toDomainError(decision, 'order', orderId);
}
