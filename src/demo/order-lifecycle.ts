import type { Actor, OrderCommand } from '../orders/order.commands';
import type { OrderData } from '../orders/order-data';
import { OrderGenerator } from './order-generator';

/**
 * The commands a real order goes through, with realistic proportions: most are added at once,
 * some start as drafts (a few stay drafts), many are corrected, served, some locked while
 * edited, some cancelled, a few sealed. Deterministic for a given generator seed.
 */
export function orderLifecycle(generator: OrderGenerator, orderId: string, start: Date): OrderCommand[] {
  const random = () => generator.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) / 10;
  const data: OrderData = generator.order();
  const clerk: Actor = { userId: `clerk-${data.court.ori.toLowerCase()}`, organisation: data.court.ori, roles: ['QUERY_UPDATE_SEALED'] };
  let minutes = 0;
  // Hours between steps in general; minutes while a clerk holds the 30-minute edit lock.
  const at = (maxGapMinutes: number) =>
    new Date(start.getTime() + (minutes += 1 + Math.floor(random() * maxGapMinutes)) * 60_000).toISOString();
  const base = (maxGapMinutes = 240) => ({ orderId, actor: clerk, now: at(maxGapMinutes) });
  const commands: OrderCommand[] = [];

  if (random() < 0.2) {
    commands.push({ ...base(), type: 'DraftOrder', data: { court: data.court, orderType: data.orderType, caseNumber: data.caseNumber } });
    if (random() < 0.5) return commands; // still a draft
  }
  commands.push({ ...base(), type: 'AddOrder', data, submitToCarpos: random() < 0.8 });
  if (random() < 0.5) {
    commands.push({ ...base(), type: 'LockOrder' });
    commands.push({ ...base(5), type: 'ModifyOrder', patch: { hearingDate: data.issuedDate, judge: `${data.judge ?? 'Hon. Duty Judge'} (corrected)` } });
    commands.push({ ...base(5), type: 'UnlockOrder' });
  }
  for (let served = 0; served < (random() < 0.7 ? 1 : 0) + (random() < 0.1 ? 1 : 0); served++) {
    const when = base();
    commands.push({ ...when, type: 'ServeOrder', servedAt: when.now, method: 'PERSONAL', servedBy: 'Deputy Garcia', agency: data.court.ori });
  }
  // Some clerks leave an order locked (until it expires or an administrator releases it).
  if (random() < 0.1) commands.push({ ...base(), type: 'LockOrder' });
  if (random() < 0.03) commands.push({ ...base(), type: 'SealOrder' });
  if (random() < 0.15) commands.push({ ...base(), type: 'CancelOrder', reason: random() < 0.5 ? 'TERMINATED_BY_COURT' : 'SUPERSEDED' });
  return commands;
}
