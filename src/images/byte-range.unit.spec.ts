import { parseRange } from './byte-range';

describe('Range header (RFC 9110 §14.1.2), one range over a 1000-byte image', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=900-', { start: 900, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=500-5000', { start: 500, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
  ])('%s → %o', (header, range) => expect(parseRange(header, 1000)).toEqual(range));

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0'])('%s → unsatisfiable (416)', (header) => expect(parseRange(header, 1000)).toBe('unsatisfiable'));

  it.each([undefined, '', 'bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b'])('%s → ignored: the whole image', (header) =>
    expect(parseRange(header, 1000)).toBeUndefined(),
  );

  it('an empty image has no satisfiable range', () => expect(parseRange('bytes=-1', 0)).toBe('unsatisfiable'));
});
