import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../graphql/request-context';
import type { OrderDataPatch } from '../orders/order-data';
import { Caller, OrderService } from '../orders/order.service';
import { AddQuickAttachArgs, ConvertQuickAttachArgs, QuickAttachConversionResultType, QuickAttachesArgs, QuickAttachMutationResultType, QuickAttachPageType } from './quick-attach.graphql';
import { QuickAttachMutationResult, QuickAttachService } from './quick-attach.service';

async function callerOf(context: RequestContext): Promise<Caller> {
  return { principal: (await context.authenticated()).principal, client: context.req.ip };
}

/** GraphQL leaves an unknown field null; the decider wants it absent. */
const known = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** A mutation's quick attach is the one its own command just wrote: not (yet) converted into a sealed order. */
const asResult = <R extends QuickAttachMutationResult>(result: R) => ({ ...result, quickAttach: { ...result.quickAttach, orderSealed: false } });

@Resolver()
export class QuickAttachResolver {
  constructor(
    @Inject(QuickAttachService) private readonly service: QuickAttachService,
    @Inject(OrderService) private readonly orders: OrderService,
  ) {}

  @Mutation(() => QuickAttachMutationResultType, { description: 'Enters a scanned order (uploaded with POST /images) with what is known of it, for the user’s court and county.' })
  async addQuickAttach(@Args() { idempotencyKey, input }: AddQuickAttachArgs, @Context() context: RequestContext): Promise<QuickAttachMutationResultType> {
    const { imageId, fileName, caseNumber, restrainedPerson, notes } = input;
    return asResult(
      await this.service.add(await callerOf(context), idempotencyKey, {
        imageId: imageId.toLowerCase(),
        fileName: known(fileName),
        caseNumber: known(caseNumber),
        restrainedPerson: restrainedPerson ? { lastName: known(restrainedPerson.lastName), firstName: known(restrainedPerson.firstName) } : undefined,
        notes: known(notes),
      }),
    );
  }

  @Mutation(() => QuickAttachConversionResultType, {
    description: 'Turns a pending quick attach into a DRAFT or ACTIVE order of the user’s court with its image attached; it then no longer shows as pending.',
  })
  async convertQuickAttach(@Args() args: ConvertQuickAttachArgs, @Context() context: RequestContext): Promise<QuickAttachConversionResultType> {
    const { idempotencyKey, quickAttachId, into, data, submitToCarpos } = args;
    return asResult(await this.service.convert(await callerOf(context), idempotencyKey, quickAttachId, into, data as OrderDataPatch, submitToCarpos ?? false));
  }

  @Query(() => QuickAttachPageType, { description: 'Quick attaches of the user’s county, newest first, 25 a page; pending ones only unless includeConverted. Written to the access log.' })
  async quickAttaches(@Args() { criteria = {}, page = 1, waitForPosition }: QuickAttachesArgs, @Context() context: RequestContext): Promise<QuickAttachPageType> {
    const caller = await callerOf(context);
    await this.orders.waitFor(waitForPosition);
    const found = await this.service.search(caller, criteria, page);
    return {
      ...found,
      next: found.page < found.pageCount ? found.page + 1 : null,
      last: found.pageCount > 0 ? found.pageCount : null,
    };
  }
}
