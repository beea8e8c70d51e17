import { createHash, randomBytes } from 'node:crypto';
import { BlobIntegrityError } from './blob-store.port';
import { BlobManifest, CHUNK_SIZE, chunkSpan, ManifestBuilder, rechunk, verifiedRead } from './blob-chunks';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces);
}

async function* pieces(bytes: Buffer, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function manifestOf(bytes: Buffer): BlobManifest {
  const builder = new ManifestBuilder({ sha256: sha256(bytes), sizeBytes: bytes.length });
  builder.update(bytes);
  return builder.finish();
}

/** A store in memory: chunk i of `stored`. */
const spanOf = (stored: Buffer, pieceSize = 7777) => (first: number, last: number) =>
  pieces(stored.subarray(first * CHUNK_SIZE, Math.min((last + 1) * CHUNK_SIZE, stored.length)), pieceSize);

const blob = randomBytes(CHUNK_SIZE * 3 + 12345);

describe('chunks and their manifest', () => {
  it('rechunk cuts any pieces into whole chunks, the last shorter', async () => {
    const sizes: number[] = [];
    for await (const chunk of rechunk(pieces(blob, 1000), CHUNK_SIZE)) sizes.push(chunk.length);
    expect(sizes).toEqual([CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 12345]);
  });

  it('builds the same manifest however the content is split', () => {
    const split = new ManifestBuilder({ sha256: sha256(blob), sizeBytes: blob.length });
    for (let at = 0; at < blob.length; at += 3000) split.update(blob.subarray(at, at + 3000));
    const manifest = split.finish();
    expect(manifest).toEqual(manifestOf(blob));
    expect(manifest.chunkSha256[1]).toBe(sha256(blob.subarray(CHUNK_SIZE, 2 * CHUNK_SIZE)));
  });

  it('refuses content that is not what its name and size say', () => {
    const wrongHash = new ManifestBuilder({ sha256: 'f'.repeat(64), sizeBytes: 3 });
    wrongHash.update(Buffer.from('abc'));
    expect(() => wrongHash.finish()).toThrow(BlobIntegrityError);
    const tooLong = new ManifestBuilder({ sha256: sha256(Buffer.from('abc')), sizeBytes: 2 });
    expect(() => tooLong.update(Buffer.from('abc'))).toThrow(BlobIntegrityError);
    const tooShort = new ManifestBuilder({ sha256: sha256(Buffer.from('abc')), sizeBytes: 4 });
    tooShort.update(Buffer.from('abc'));
    expect(() => tooShort.finish()).toThrow(/is 3 bytes, not 4/);
  });
});

describe('verified reads', () => {
  const manifest = manifestOf(blob);

  it('answers the whole blob and any range, touching only the chunks a range needs', async () => {
    expect((await collect(await verifiedRead(manifest, undefined, spanOf(blob)))).equals(blob)).toBe(true);
    for (const range of [{ start: 0, end: 0 }, { start: CHUNK_SIZE - 5, end: CHUNK_SIZE + 5 }, { start: 100, end: blob.length - 1 }]) {
      const read = await collect(await verifiedRead(manifest, range, spanOf(blob)));
      expect(read.equals(blob.subarray(range.start, range.end + 1))).toBe(true);
    }
    expect(chunkSpan(manifest, { start: CHUNK_SIZE - 5, end: CHUNK_SIZE + 5 })).toEqual({ first: 0, last: 1 });
  });

  it('fails before anything is sent when the first chunk is corrupt', async () => {
    const corrupt = Buffer.from(blob);
    corrupt[10] ^= 1;
    await expect(verifiedRead(manifest, undefined, spanOf(corrupt))).rejects.toThrow(BlobIntegrityError);
  });

  it('never emits a byte of a corrupt chunk later on, and fails loudly', async () => {
    const corrupt = Buffer.from(blob);
    corrupt[2 * CHUNK_SIZE + 1] ^= 1;
    const stream = await verifiedRead(manifest, undefined, spanOf(corrupt));
    const emitted: Buffer[] = [];
    await expect(
      (async () => {
        for await (const piece of stream) emitted.push(piece);
      })(),
    ).rejects.toThrow(BlobIntegrityError);
    expect(Buffer.concat(emitted).equals(blob.subarray(0, 2 * CHUNK_SIZE))).toBe(true);
  });

  it('notices a missing chunk and refuses a range outside the blob', async () => {
    const stream = await verifiedRead(manifest, undefined, spanOf(blob.subarray(0, 2 * CHUNK_SIZE)));
    await expect(collect(stream)).rejects.toThrow(/chunk 2 is missing/);
    await expect(verifiedRead(manifest, { start: 0, end: blob.length }, spanOf(blob))).rejects.toThrow(RangeError);
  });
});
