import { randomUUID } from 'node:crypto';
import { orderDecider } from '../orders/order.decider';
import { OrderGenerator } from './order-generator';
import { orderLifecycle } from './order-lifecycle';

describe('generated order lifecycles', () => {
  it('are accepted by the order decider, command after command', () => {
    const generator = new OrderGenerator(11);
    const statuses = new Set<string>();
    for (let i = 0; i < 300; i++) {
      let state = orderDecider.initialState();
      for (const command of orderLifecycle(generator, randomUUID(), new Date('2026-01-05T09:00:00Z'))) {
        for (const event of orderDecider.decide(command, state)) state = orderDecider.evolve(state, event);
      }
      statuses.add(state.status);
    }
    // Every status a registry holds shows up in a few hundred orders.
    expect([...statuses].sort()).toEqual(['ACTIVE', 'CANCELLED', 'DRAFT']);
  });
});
