import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { carposMessages, pendingTransactionCount } from '../../projections/carpos-transactions/carpos-transactions.query';
import { can, orderVisibility, Principal, toDomainError } from '../access/access-policy';
import { POSTGRES } from '../app/infrastructure.module';
import type { RequestContext } from '../graphql/request-context';
import { PostgresConnection } from '../postgres/postgres-connection';
import { NotFoundError } from '../shared/domain-error';
import { CarposMessagesArgs, CarposMessageType, CarposQueueStatusType, RetryCarposArgs } from './carpos.graphql';
import { CARPOS_QUEUE } from './carpos.tokens';
import type { CarposQueue } from './carpos-queue';

async function principalOf(context: RequestContext): Promise<Principal> {
  return (await context.authenticated()).principal;
}

function requireAllowed(principal: Principal, action: 'carposMessages.view' | 'carposQueue.manage'): void {
  const decision = can(principal, action);
  if (!decision.allowed) throw toDomainError(decision, 'carpos', action);
}

/** CARPOS Messages for CLETS-certified users, and the queue for operations (DESIGN §7, §12). */
@Resolver()
export class CarposResolver {
  constructor(
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(CARPOS_QUEUE) private readonly queue: CarposQueue,
  ) {}

  @Query(() => [CarposMessageType], { description: 'DOJ’s answers, newest first; CLETS-certified users only.' })
  async carposMessages(@Args() args: CarposMessagesArgs, @Context() context: RequestContext): Promise<CarposMessageType[]> {
    const principal = await principalOf(context);
    requireAllowed(principal, 'carposMessages.view');
    const rows = await carposMessages(this.postgres.pool, {
      courtOris: args.courtOris?.map((ori) => ori.toUpperCase()),
      from: args.from ? new Date(args.from) : undefined,
      to: args.to ? new Date(args.to) : undefined,
      outcome: args.outcome === 'ACCEPTED' ? 'accepted' : args.outcome === 'REJECTED' ? 'rejected' : undefined,
      orderId: args.orderId,
      limit: args.limit,
    });
    // An answer echoes order data: sealed orders' answers only for those who see the order in full.
    return rows
      .filter((row) => orderVisibility(principal, { courtOri: row.courtOri, sealed: row.sealed }) === 'full')
      .map((row) => ({ ...row, transactionType: row.type, accepted: row.status === 'accepted', answeredAt: row.answeredAt! }));
  }

  @Query(() => CarposQueueStatusType, { description: 'The registry operator’s view of the CARPOS queue.' })
  async carposQueue(@Context() context: RequestContext): Promise<CarposQueueStatusType> {
    requireAllowed(await principalOf(context), 'carposQueue.manage');
    const [counts, failed, pending] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
      this.queue.getFailed(0, 99),
      pendingTransactionCount(this.postgres.pool),
    ]);
    return {
      pending,
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      failedTransactions: failed.map((job) => ({
        tcn: job.data.tcn,
        orderId: job.data.orderId,
        transactionType: job.data.type,
        attemptsMade: job.attemptsMade,
        reason: job.failedReason ?? '',
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      })),
    };
  }

  @Mutation(() => Boolean, { description: 'Tries a failed CARPOS transaction again (after DOJ is back).' })
  async retryCarposTransaction(@Args() { tcn }: RetryCarposArgs, @Context() context: RequestContext): Promise<boolean> {
    requireAllowed(await principalOf(context), 'carposQueue.manage');
    const job = await this.queue.getJob(tcn);
    if (!job || !(await job.isFailed())) throw new NotFoundError('failed CARPOS transaction', tcn);
    await job.retry('failed');
    return true;
  }
}
