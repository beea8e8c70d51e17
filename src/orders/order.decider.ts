import { Decider } from '../decider/decider';
import { decide, OrderCommand } from './order.commands';
import { evolve, initialOrderState, OrderEvent, OrderState } from './order.events';

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  decide,
  evolve,
};

/** The event store stream holding one order's history (DESIGN §2). */
export function orderStream(orderId: string): string {
  return `order-${orderId}`;
}
