import { v5 as uuidv5 } from 'uuid';
import type { Clock } from '../app/clock';
import type { Actor } from '../shared/actor';
import { orderStream } from '../orders/order.decider';
import type { OrderCommands } from '../orders/order.service';
import type { OrderEvent } from '../orders/order.events';
import { carposAnswerOf, CarposJob, wireTransaction } from './carpos-transaction';
import type { DojGateway } from './doj-gateway';

// Answers are recorded under a command id derived from the TCN: a worker that recorded an
// answer and died before finishing its job records nothing new when the job runs again.
const ANSWER_COMMAND_NAMESPACE = 'a7c3e0f2-1b5d-4e8a-9c6f-3d2b7a9e4f10';

/**
 * One CARPOS transaction, at least once: build it from the order's events, send it, record
 * DOJ's answer on the order stream. A retry after a crash resends the same TCN, which DOJ
 * answers as before, and the answer is recorded once.
 */
export class CarposSender {
  constructor(
    private readonly orders: OrderCommands,
    private readonly gateway: DojGateway,
    private readonly clock: Clock,
    private readonly actor: Actor,
  ) {}

  async send(job: CarposJob): Promise<'answered' | 'already answered'> {
    const stream = orderStream(job.orderId);
    const events = await this.orders.load(stream);
    const after = this.orders.fold(events.slice(0, job.revision + 1));
    const current = this.orders.fold(events.slice(job.revision + 1), after);
    if (current.carpos.answeredTcns.includes(job.tcn)) return 'already answered';
    if (job.type !== 'ENTER' && current.carpos.fcn === null) {
      // Transactions of an order go one at a time, so this means the ENTER's answer is still being recorded.
      throw new Error(`order ${job.orderId} has no FCN yet for its ${job.type}`);
    }
    const event = events[job.revision] as unknown as OrderEvent;
    const answer = await this.gateway.send(wireTransaction(job, event, after, current.carpos.fcn));
    const now = this.clock.now().toISOString();
    await this.orders.handle(
      stream,
      { type: 'RecordCarposAnswer', orderId: job.orderId, now, actor: this.actor, answer: carposAnswerOf(job, answer) },
      {
        commandId: uuidv5(job.tcn, ANSWER_COMMAND_NAMESPACE),
        actor: { userId: this.actor.userId, organisation: this.actor.organisation, role: this.actor.roles.join(',') },
        occurredAt: now,
      },
    );
    return 'answered';
  }
}
