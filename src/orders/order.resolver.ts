import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../graphql/request-context';
import { ValidationError } from '../shared/domain-error';
import {
  AddOrderArgs,
  AttachImageArgs,
  CancelOrderArgs,
  CloneOrderArgs,
  DraftOrderArgs,
  LockOrderArgs,
  ModifyOrderArgs,
  OrderAsOfArgs,
  OrderCommandArgs,
  OrderQueryArgs,
  ReadArgs,
  SearchOrdersArgs,
  ServeOrderArgs,
} from './order.graphql-inputs';
import {
  LockedOrderType,
  OrderHistoryEntryType,
  OrderMutationResultType,
  OrderSearchPageType,
  OrderType,
  OrderViewUnion,
} from './order.graphql-types';
import { ExistenceOnly } from '../access/access-policy';
import { OrderDetail } from './order-history';
import { CancellationReason, ServiceMethod } from './order.events';
import { Caller, OrderMutationResult, OrderService } from './order.service';
import { OrderDataPatch } from './order-data';

async function callerOf(context: RequestContext): Promise<Caller> {
  return { principal: (await context.authenticated()).principal, client: context.req.ip };
}

/** GraphQL inputs are typed loosely (codes as strings); the decider checks them against the order's rules. */
const patchOf = (input: unknown) => input as OrderDataPatch;

/** JSON text for values of any type, so the schema needs no custom scalar. */
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** The order actions and reads of DESIGN §12; every one goes through OrderService and so through the policy. */
@Resolver()
export class OrderResolver {
  constructor(@Inject(OrderService) private readonly orders: OrderService) {}

  @Mutation(() => OrderMutationResultType, { description: 'Starts a DRAFT: court and order type required, the rest as far as known.' })
  async draftOrder(@Args() { idempotencyKey, data }: DraftOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.orders.create(await callerOf(context), idempotencyKey, 'order.draft', data.court?.ori, {
      type: 'DraftOrder',
      data: patchOf(data),
    });
  }

  @Mutation(() => OrderMutationResultType, { description: 'Adds an ACTIVE order, new or by completing a DRAFT (orderId).' })
  async addOrder(@Args() args: AddOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    const caller = await callerOf(context);
    const body = { type: 'AddOrder' as const, data: patchOf(args.data), submitToCarpos: args.submitToCarpos };
    return args.orderId
      ? this.orders.change(caller, args.idempotencyKey, args.orderId, args.expectedRevision, 'order.add', body, args.data.court?.ori)
      : this.orders.create(caller, args.idempotencyKey, 'order.add', args.data.court?.ori, body);
  }

  @Mutation(() => OrderMutationResultType, { description: 'Changes a DRAFT or ACTIVE order; refused while another user holds its lock.' })
  async modifyOrder(@Args() args: ModifyOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.orders.change(
      await callerOf(context),
      args.idempotencyKey,
      args.orderId,
      args.expectedRevision,
      'order.modify',
      { type: 'ModifyOrder', patch: patchOf(args.patch) },
      args.patch.court?.ori,
    );
  }

  @Mutation(() => OrderMutationResultType, { description: 'Copies an order into a new ACTIVE order of the user’s court.' })
  async cloneOrder(@Args() args: CloneOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.orders.clone(await callerOf(context), args.idempotencyKey, args.sourceOrderId, args.overrides && patchOf(args.overrides), args.submitToCarpos);
  }

  @Mutation(() => OrderMutationResultType, { description: 'Records a proof of service; an order may be served more than once.' })
  async serveOrder(@Args() args: ServeOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    const { servedAt, method, servedBy, agency, notes } = args.service;
    return this.onOrder(context, args, 'order.serve', {
      type: 'ServeOrder',
      servedAt,
      method: method as ServiceMethod,
      servedBy,
      agency,
      ...(notes == null ? {} : { notes }),
    });
  }

  @Mutation(() => OrderMutationResultType)
  async cancelOrder(@Args() args: CancelOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.onOrder(context, args, 'order.cancel', {
      type: 'CancelOrder',
      reason: args.reason as CancellationReason,
      ...(args.reasonText == null ? {} : { reasonText: args.reasonText }),
    });
  }

  @Mutation(() => OrderMutationResultType, { description: 'QUERY_UPDATE_SEALED of the originating court only.' })
  async sealOrder(@Args() args: OrderCommandArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.onOrder(context, args, 'order.seal', { type: 'SealOrder' });
  }

  @Mutation(() => OrderMutationResultType, { description: 'QUERY_UPDATE_SEALED of the originating court only.' })
  async unsealOrder(@Args() args: OrderCommandArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.onOrder(context, args, 'order.unseal', { type: 'UnsealOrder' });
  }

  @Mutation(() => OrderMutationResultType, { description: 'Takes the edit lock (30 minutes unless durationMinutes says otherwise).' })
  async lockOrder(@Args() args: LockOrderArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    return this.onOrder(context, args, 'order.lock', {
      type: 'LockOrder',
      ...(args.durationMinutes == null ? {} : { durationMinutes: args.durationMinutes }),
    });
  }

  @Mutation(() => OrderMutationResultType, { description: 'The holder releases the lock; an ADMINISTRATOR of the holder’s organisation may force it.' })
  async unlockOrder(@Args() args: OrderCommandArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    const caller = await callerOf(context);
    return this.orders.change(caller, args.idempotencyKey, args.orderId, args.expectedRevision, this.orders.unlockAction(caller.principal), {
      type: 'UnlockOrder',
    });
  }

  @Mutation(() => OrderMutationResultType, { description: 'Attaches an image uploaded with POST /images by someone of the user’s organisation.' })
  async attachImage(@Args() args: AttachImageArgs, @Context() context: RequestContext): Promise<OrderMutationResult> {
    const { idempotencyKey, orderId, expectedRevision, imageId, fileName } = args;
    return this.orders.attachUploadedImage(await callerOf(context), idempotencyKey, orderId, expectedRevision, imageId.toLowerCase(), fileName ?? undefined);
  }

  private async onOrder(
    context: RequestContext,
    args: OrderCommandArgs,
    action: Parameters<OrderService['change']>[4],
    body: Parameters<OrderService['change']>[5],
  ): Promise<OrderMutationResult> {
    return this.orders.change(await callerOf(context), args.idempotencyKey, args.orderId, args.expectedRevision, action, body);
  }

  // ---- queries -----------------------------------------------------------------------------

  @Query(() => OrderSearchPageType, { description: 'Statewide order search (DESIGN §5), 25 a page; every search is written to the access log.' })
  async searchOrders(@Args() { criteria, page = 1, waitForPosition }: SearchOrdersArgs, @Context() context: RequestContext): Promise<OrderSearchPageType> {
    const caller = await callerOf(context);
    await this.orders.waitFor(waitForPosition);
    const found = await this.orders.search(caller, criteria, page);
    return {
      ...found,
      next: found.page < found.pageCount ? found.page + 1 : null,
      last: found.pageCount > 0 ? found.pageCount : null,
    };
  }

  @Query(() => OrderViewUnion, { description: 'One order as the user may see it; NOT_FOUND also when they may not know it exists.' })
  async order(@Args() { id, waitForPosition }: OrderQueryArgs, @Context() context: RequestContext): Promise<OrderDetail | ExistenceOnly> {
    const caller = await callerOf(context);
    await this.orders.waitFor(waitForPosition);
    return this.orders.view(caller, id);
  }

  @Query(() => [OrderHistoryEntryType], { description: 'Every event of the order with who, when, from where and what changed.' })
  async orderHistory(@Args() { id, waitForPosition }: OrderQueryArgs, @Context() context: RequestContext): Promise<OrderHistoryEntryType[]> {
    const caller = await callerOf(context);
    await this.orders.waitFor(waitForPosition);
    return (await this.orders.history(caller, id)).map((entry) => ({
      ...entry,
      changes: entry.changes?.map((change) => ({ field: change.field, before: json(change.before), after: json(change.after) })) ?? null,
      data: JSON.stringify(entry.data),
    }));
  }

  @Query(() => OrderType, { description: 'The order after a stream revision, or as the registry knew it at an instant: exactly one of the two.' })
  async orderAsOf(@Args() { id, revision, at, waitForPosition }: OrderAsOfArgs, @Context() context: RequestContext): Promise<OrderDetail> {
    const caller = await callerOf(context);
    if ((revision === undefined || revision === null) === (at === undefined || at === null)) {
      throw ValidationError.single('revision', 'exactly_one_of_revision_or_at', 'give exactly one of revision or at');
    }
    await this.orders.waitFor(waitForPosition);
    return this.orders.asOf(caller, id, revision != null ? { revision } : { at: new Date(at!) });
  }

  @Query(() => [LockedOrderType], { description: 'Unexpired edit locks held by users of the administrator’s organisation.' })
  async lockedOrders(@Args() { waitForPosition }: ReadArgs, @Context() context: RequestContext): Promise<LockedOrderType[]> {
    const caller = await callerOf(context);
    await this.orders.waitFor(waitForPosition);
    return this.orders.locked(caller);
  }
}
