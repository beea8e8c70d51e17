import { randomUUID } from 'node:crypto';
import { orderDecider } from '../orders/order.decider';
import { OrderGenerator } from './order-generator';
import { orderLifecycle } from './order-lifecycle';

const DAY = 86_400_000;

describe('generated order lifecycles', () => {
  const generator = new OrderGenerator(11);
  const lifecycles = Array.from({ length: 300 }, () => orderLifecycle(generator, randomUUID(), new Date('2026-01-05T09:00:00Z')));

  it('are accepted by the order decider, command after command', () => {
    const statuses = new Set<string>();
    for (const commands of lifecycles) {
      let state = orderDecider.initialState();
      for (const command of commands) {
        for (const event of orderDecider.decide(command, state)) state = orderDecider.evolve(state, event);
      }
      statuses.add(state.status);
    }
    // Every status a registry holds shows up in a few hundred orders.
    expect([...statuses].sort()).toEqual(['ACTIVE', 'CANCELLED', 'DRAFT']);
  });

  it('take a court’s time: steps in time order, service and corrections days after entry, cancellations months later', () => {
    const daysAfterStart = (commands: (typeof lifecycles)[number], type: string) =>
      commands.filter((c) => c.type === type).map((c) => (Date.parse(c.now) - Date.parse(commands[0].now)) / DAY);
    for (const commands of lifecycles) {
      const times = commands.map((c) => Date.parse(c.now));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const served = lifecycles.flatMap((c) => daysAfterStart(c, 'ServeOrder'));
    const cancelled = lifecycles.flatMap((c) => daysAfterStart(c, 'CancelOrder'));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    expect(median(served)).toBeGreaterThan(3);
    expect(Math.min(...cancelled)).toBeGreaterThanOrEqual(30);
    expect(median(cancelled)).toBeGreaterThan(90);
  });
});
