import type { Pool } from 'pg';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { ExpiringOrder, ordersPastExpiration } from '../../projections/reports/reports.query';
import { orderStream } from '../orders/order.decider';
import type { OrderCommands } from '../orders/order.service';
import type { Actor } from '../shared/actor';
import { courtDate } from '../shared/court-calendar';
import { InvalidStateError } from '../shared/domain-error';

// Fixed namespace of expiry command ids. Never change it: a scheduler of the next release
// must derive the ids this one used, or a rerun would act a second time.
const EXPIRY_NAMESPACE = parseUuid('0d6f3d0e-9b1e-4a47-8f0e-6c1c2b7a5e93');

/** Who expires orders: the registry itself, recorded as such in every OrderExpired. */
export const SCHEDULER_USER_ID = 'system:scheduler';

/** Orders expired at once: enough to keep PostgreSQL busy, few enough to leave the pool to the api. */
const CONCURRENCY = 4;

export interface ExpiryDependencies {
  pool: Pool;
  orders: OrderCommands;
  /** The registry operator's ORI, the organisation the scheduler acts for. */
  operatorOri: string;
  /** Candidates read at a time (default 500). */
  pageSize?: number;
}

export interface ExpiryOutcome {
  /** The court day the run expired orders for: those whose expiration date is before it. */
  asOfDate: string;
  expired: number;
  /** Expired by another run or scheduler instance with the same command, or no longer due (cancelled, changed meanwhile). */
  skipped: number;
}

/**
 * The daily job's work: appends OrderExpired to every active order whose expiration date is
 * before today's court date (an order is in force through its expiration date; one without an
 * expiration date never expires). Candidates come from the reports read model; the decider
 * judges each on the order's own stream, so a stale candidate is only skipped.
 *
 * The command id is derived from the order and the court day, so a second run that day, or a
 * second scheduler instance at the same time, appends nothing (the command pipeline answers the
 * first result); a run on a later day finds the order EXPIRED and is refused by its status.
 */
export async function expireOrders({ pool, orders, operatorOri, pageSize = 500 }: ExpiryDependencies, now: Date): Promise<ExpiryOutcome> {
  const asOfDate = courtDate(now);
  const actor: Actor = { userId: SCHEDULER_USER_ID, organisation: operatorOri, roles: ['SYSTEM'] };
  const outcome: ExpiryOutcome = { asOfDate, expired: 0, skipped: 0 };
  const failures: string[] = [];

  const expire = async ({ orderId }: ExpiringOrder) => {
    const command = { type: 'ExpireOrder' as const, orderId, asOfDate, now: now.toISOString(), actor };
    try {
      const result = await orders.handle(orderStream(orderId), command, {
        commandId: uuidv5(`${orderId}\n${asOfDate}`, EXPIRY_NAMESPACE),
        actor: { userId: actor.userId, organisation: actor.organisation, role: 'SYSTEM' },
        occurredAt: command.now,
      });
      outcome[result.replayed ? 'skipped' : 'expired']++;
    } catch (error) {
      // Not due (its expiration date was changed) or no longer ACTIVE (cancelled, expired by an earlier run).
      if (error instanceof InvalidStateError) outcome.skipped++;
      else failures.push(`${orderId}: ${(error as Error).message}`);
    }
  };

  for (let page = await ordersPastExpiration(pool, asOfDate, undefined, pageSize); page.length > 0; ) {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, page.length) }, async () => {
      while (next < page.length) await expire(page[next++]);
    }));
    page = await ordersPastExpiration(pool, asOfDate, page[page.length - 1], pageSize);
  }
  // Every order was tried; the job fails so that it is retried (idempotently) for the ones that failed.
  if (failures.length > 0) throw new Error(`${failures.length} orders could not be expired for ${asOfDate}: ${failures.slice(0, 10).join('; ')}`);
  return outcome;
}
