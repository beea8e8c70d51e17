import type { Actor, OrderCommand } from '../orders/order.commands';
import type { OrderData } from '../orders/order-data';
import { OrderGenerator } from './order-generator';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The commands a real order goes through, with realistic proportions: most are added at once,
 * some start as drafts (a few stay drafts), many are corrected, served, some locked while
 * edited, some cancelled, a few sealed. Deterministic for a given generator seed.
 *
 * Steps are as far apart as in a court's life, not a test's: a draft is finished within days,
 * corrections and proof of service come days or weeks after entry, a cancellation months
 * later. So in a log of many orders an order's events lie far apart, as they do in a real
 * registry's, and a rebuild or benchmark sees orders updated long after they were written.
 */
export function orderLifecycle(generator: OrderGenerator, orderId: string, start: Date): OrderCommand[] {
  const random = () => generator.fraction();
  const data: OrderData = generator.order();
  const clerk: Actor = { userId: `clerk-${data.court.ori.toLowerCase()}`, organisation: data.court.ori, roles: ['QUERY_UPDATE_SEALED'] };
  let time = start.getTime();
  /** The next step, between `min` and `max` milliseconds after the previous one (whole minutes). */
  const after = (min: number, max: number) => {
    time += min + Math.floor((random() * (max - min)) / MINUTE) * MINUTE;
    return { orderId, actor: clerk, now: new Date(time).toISOString() };
  };
  const commands: OrderCommand[] = [];

  if (random() < 0.2) {
    commands.push({ ...after(0, 0), type: 'DraftOrder', data: { court: data.court, orderType: data.orderType, caseNumber: data.caseNumber } });
    if (random() < 0.5) return commands; // still a draft
    commands.push({ ...after(HOUR, 3 * DAY), type: 'AddOrder', data, submitToCarpos: random() < 0.8 });
  } else {
    commands.push({ ...after(0, 0), type: 'AddOrder', data, submitToCarpos: random() < 0.8 });
  }
  // A correction: locked, changed and unlocked within the 30-minute edit lock.
  if (random() < 0.5) {
    commands.push({ ...after(HOUR, 20 * DAY), type: 'LockOrder' });
    commands.push({ ...after(MINUTE, 5 * MINUTE), type: 'ModifyOrder', patch: { hearingDate: data.issuedDate, judge: `${data.judge ?? 'Hon. Duty Judge'} (corrected)` } });
    commands.push({ ...after(MINUTE, 5 * MINUTE), type: 'UnlockOrder' });
  }
  for (let served = 0; served < (random() < 0.7 ? 1 : 0) + (random() < 0.1 ? 1 : 0); served++) {
    const when = after(HOUR, 21 * DAY);
    commands.push({ ...when, type: 'ServeOrder', servedAt: when.now, method: 'PERSONAL', servedBy: 'Deputy Garcia', agency: data.court.ori });
  }
  // Some clerks leave an order locked (until it expires or an administrator releases it).
  if (random() < 0.1) commands.push({ ...after(HOUR, 30 * DAY), type: 'LockOrder' });
  if (random() < 0.03) commands.push({ ...after(DAY, 30 * DAY), type: 'SealOrder' });
  if (random() < 0.15) commands.push({ ...after(30 * DAY, 540 * DAY), type: 'CancelOrder', reason: random() < 0.5 ? 'TERMINATED_BY_COURT' : 'SUPERSEDED' });
  return commands;
}
