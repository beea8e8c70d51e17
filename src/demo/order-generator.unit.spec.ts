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
