import type { ByteRange } from './blob-store.port';

/**
 * The one range of a `Range: bytes=…` header (RFC 9110 §14.1.2) over `size` bytes: undefined to
 * send the whole image (no header, or one a server may ignore: malformed, another unit, several
 * ranges), or 'unsatisfiable' (416) when it starts past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1], match[2]].map((digits) => (digits === '' ? undefined : Number(digits)));
  if (first === undefined) {
    // A suffix: the last `last` bytes.
    return last! > 0 && size > 0 ? { start: Math.max(0, size - last!), end: size - 1 } : 'unsatisfiable';
  }
  if (last !== undefined && last < first) return undefined;
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}
