import { yielder } from './projection';

describe('yielder', () => {
  it('lets the event loop run on every n-th call and costs nothing on the others', async () => {
    const pause = yielder(3);
    let ioRan = false;
    setImmediate(() => (ioRan = true));
    expect(pause()).toBeUndefined();
    expect(pause()).toBeUndefined();
    const third = pause();
    expect(typeof third?.then).toBe('function');
    expect(ioRan).toBe(false);
    await third;
    expect(ioRan).toBe(true);
    expect(pause()).toBeUndefined();
  });
});
