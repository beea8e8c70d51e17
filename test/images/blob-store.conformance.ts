import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CHUNK_SIZE } from '../../src/images/blob-chunks';
import { BlobIntegrityError, BlobNotFoundError, BlobStore } from '../../src/images/blob-store.port';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** Flips a byte of the stored content of chunk `chunk`, as a failing disk or a bad copy would. */
  corrupt(sha256: string, chunk: number): Promise<void>;
  teardown(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function* pieces(bytes: Buffer, size = 65536) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Every adapter passes the same suite (DESIGN §6): content addressing, dedupe, integrity, ranges. */
export function describeBlobStoreConformance(adapter: string, open: () => Promise<BlobStoreUnderTest>): void {
  describe(`blob store conformance: ${adapter}`, () => {
    let under: BlobStoreUnderTest;
    let store: BlobStore;
    beforeAll(async () => {
      under = await open();
      store = under.store;
    });
    afterAll(() => under?.teardown());

    const put = (bytes: Buffer) => store.put(sha256(bytes), bytes.length, () => pieces(bytes));

    it('stores content under its SHA-256 and answers it whole, byte for byte', async () => {
      const bytes = randomBytes(3 * CHUNK_SIZE + 1000);
      expect(await put(bytes)).toEqual({ created: true });
      expect(await store.stat(sha256(bytes))).toEqual({ sizeBytes: bytes.length });
      expect((await collect(await store.read(sha256(bytes)))).equals(bytes)).toBe(true);
    });

    it('stores the same bytes once: concurrent puts both succeed, a later one creates nothing, all read the same', async () => {
      const bytes = randomBytes(CHUNK_SIZE + 17);
      await Promise.all([put(bytes), put(bytes)]);
      expect(await put(bytes)).toEqual({ created: false });
      expect((await collect(await store.read(sha256(bytes)))).equals(bytes)).toBe(true);
    });

    it('does not even open the content of a blob it already has', async () => {
      const bytes = randomBytes(100);
      await put(bytes);
      const open = jest.fn(() => pieces(bytes));
      expect(await store.put(sha256(bytes), bytes.length, open)).toEqual({ created: false });
      expect(open).not.toHaveBeenCalled();
    });

    it('keeps nothing when the content is not what its name or size says', async () => {
      const bytes = randomBytes(CHUNK_SIZE + 5);
      const claimed = sha256(randomBytes(8));
      await expect(store.put(claimed, bytes.length, () => pieces(bytes))).rejects.toThrow(BlobIntegrityError);
      expect(await store.stat(claimed)).toBeUndefined();
      await expect(store.put(sha256(bytes), bytes.length + 1, () => pieces(bytes))).rejects.toThrow(BlobIntegrityError);
      expect(await store.stat(sha256(bytes))).toBeUndefined();
      await expect(store.read(claimed)).rejects.toThrow(BlobNotFoundError);
    });

    it('answers byte ranges within a chunk, across chunk boundaries and at the end', async () => {
      const bytes = randomBytes(2 * CHUNK_SIZE + 333);
      await put(bytes);
      const ranges = [
        { start: 0, end: 0 },
        { start: 10, end: 99 },
        { start: CHUNK_SIZE - 10, end: CHUNK_SIZE + 9 },
        { start: 1, end: 2 * CHUNK_SIZE + 100 },
        { start: bytes.length - 1, end: bytes.length - 1 },
      ];
      for (const range of ranges) {
        const read = await collect(await store.read(sha256(bytes), range));
        expect(read.equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
      }
      await expect(store.read(sha256(bytes), { start: 0, end: bytes.length })).rejects.toThrow(RangeError);
    });

    it('stores and reads an empty blob', async () => {
      const empty = Buffer.alloc(0);
      expect(await put(empty)).toEqual({ created: true });
      expect((await collect(await store.read(sha256(empty)))).length).toBe(0);
    });

    it('answers BlobNotFoundError for a blob it does not have', async () => {
      await expect(store.read('0'.repeat(64))).rejects.toThrow(BlobNotFoundError);
      expect(await store.stat('0'.repeat(64))).toBeUndefined();
    });

    it('refuses to serve a corrupt blob: a corrupt first chunk before anything is read, a later one before any of its bytes', async () => {
      const first = randomBytes(2 * CHUNK_SIZE);
      await put(first);
      await under.corrupt(sha256(first), 0);
      await expect(store.read(sha256(first))).rejects.toThrow(BlobIntegrityError);

      const later = randomBytes(3 * CHUNK_SIZE);
      await put(later);
      await under.corrupt(sha256(later), 2);
      const emitted: Buffer[] = [];
      const stream = await store.read(sha256(later));
      await expect(
        (async () => {
          for await (const part of stream) emitted.push(part as Buffer);
        })(),
      ).rejects.toThrow(BlobIntegrityError);
      expect(Buffer.concat(emitted).equals(later.subarray(0, 2 * CHUNK_SIZE))).toBe(true);
      // A range that needs only sound chunks is still served.
      expect((await collect(await store.read(sha256(later), { start: 5, end: 10 }))).equals(later.subarray(5, 11))).toBe(true);
    });
  });
}
