import { validateFull } from '../orders/order-data';
import { OrderGenerator } from './order-generator';

describe('order generator', () => {
  it('generates complete orders that pass full validation', () => {
    const generator = new OrderGenerator(7);
    for (let i = 0; i < 500; i++) {
      const order = generator.order();
      expect(() => validateFull(order)).not.toThrow();
    }
  });

  it('gives the same orders for the same seed and different ones for another', () => {
    const a = new OrderGenerator(42);
    const b = new OrderGenerator(42);
    const c = new OrderGenerator(43);
    const first = a.order();
    expect(b.order()).toEqual(first);
    expect(c.order()).not.toEqual(first);
  });
});

describe('generated names', () => {
  it('have a head of common surnames and a long tail, as a registry of Californians does', () => {
    const generator = new OrderGenerator(5);
    const counts = new Map<string, number>();
    const orders = 20_000;
    for (let i = 0; i < orders; i++) {
      const last = generator.order().restrainedPerson.lastName;
      counts.set(last, (counts.get(last) ?? 0) + 1);
    }
    const [top, topCount] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(top).toBe('Garcia');
    expect(topCount / orders).toBeGreaterThan(0.01);
    expect(topCount / orders).toBeLessThan(0.03);
    // Most surnames are rare: many distinct ones, most seen only a few times.
    expect(counts.size).toBeGreaterThan(8_000);
    expect([...counts.values()].filter((n) => n <= 3).length / counts.size).toBeGreaterThan(0.8);
  });
});
