import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobIntegrityError, ByteRange } from './blob-store.port';

/**
 * What both blob store adapters share: a blob is kept as fixed-size chunks, each with its own
 * SHA-256 in the blob's manifest. A read then checks every chunk before emitting any of its
 * bytes (a corrupt blob fails, it is never served, not even in part), a range read touches only
 * the chunks it needs, and neither writing nor reading ever holds more than one chunk.
 */

/** 256 KiB: small enough to hold one at a time, big enough that a 20 MB image is 80 chunks. */
export const CHUNK_SIZE = 256 * 1024;

/** What a stored blob is checked against. Written last: a blob exists once its manifest does. */
export interface BlobManifest {
  sha256: string;
  sizeBytes: number;
  chunkSize: number;
  /** Hex SHA-256 of each chunk, in order. */
  chunkSha256: string[];
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Cuts a byte stream into chunks of exactly `size` bytes (the last may be shorter), holding at most one chunk. */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (rest.length > 0) {
      const take = Math.min(size - pendingBytes, rest.length);
      pending.push(rest.subarray(0, take));
      pendingBytes += take;
      rest = rest.subarray(take);
      if (pendingBytes === size) {
        yield pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/**
 * Builds a blob's manifest from its bytes in pieces of any size, hashing as they pass, so a
 * writer never holds more than the piece it was given.
 */
export class ManifestBuilder {
  private readonly whole = createHash('sha256');
  private chunk = createHash('sha256');
  private inChunk = 0;
  private readonly chunkSha256: string[] = [];
  private sizeBytes = 0;

  constructor(private readonly expected: { sha256: string; sizeBytes: number }) {}

  /** Takes the next piece; refuses (BlobIntegrityError) once there are more bytes than expected. */
  update(piece: Uint8Array): void {
    this.sizeBytes += piece.length;
    if (this.sizeBytes > this.expected.sizeBytes) throw this.mismatch(`is longer than ${this.expected.sizeBytes} bytes`);
    this.whole.update(piece);
    for (let offset = 0; offset < piece.length; ) {
      const take = Math.min(CHUNK_SIZE - this.inChunk, piece.length - offset);
      this.chunk.update(piece.subarray(offset, offset + take));
      this.inChunk += take;
      offset += take;
      if (this.inChunk === CHUNK_SIZE) this.closeChunk();
    }
  }

  /** The manifest, or BlobIntegrityError when the content was not the bytes expected. */
  finish(): BlobManifest {
    const { sha256, sizeBytes } = this.expected;
    if (this.inChunk > 0) this.closeChunk();
    if (this.sizeBytes !== sizeBytes) throw this.mismatch(`is ${this.sizeBytes} bytes, not ${sizeBytes}`);
    const actual = this.whole.digest('hex');
    if (actual !== sha256) throw this.mismatch(`hashes to ${actual}`);
    return { sha256, sizeBytes, chunkSize: CHUNK_SIZE, chunkSha256: this.chunkSha256 };
  }

  private closeChunk(): void {
    this.chunkSha256.push(this.chunk.digest('hex'));
    this.chunk = createHash('sha256');
    this.inChunk = 0;
  }

  private mismatch(what: string): BlobIntegrityError {
    return new BlobIntegrityError(`content for blob ${this.expected.sha256} ${what}: not stored`);
  }
}

/** The chunk numbers a range touches. */
export function chunkSpan(manifest: BlobManifest, range: ByteRange): { first: number; last: number } {
  return { first: Math.floor(range.start / manifest.chunkSize), last: Math.floor(range.end / manifest.chunkSize) };
}

/**
 * The bytes of `range` (the whole blob when absent), read through `readSpan` (the stored bytes of
 * chunks first..last, in order, in pieces of any size) and checked chunk by chunk against the
 * manifest; a whole read also checks the blob's own SHA-256 at the end. Resolves once the first
 * chunk has passed, so a missing or corrupt start is an error before anything is sent.
 */
export async function verifiedRead(
  manifest: BlobManifest,
  range: ByteRange | undefined,
  readSpan: (first: number, last: number) => AsyncIterable<Uint8Array>,
): Promise<Readable> {
  const { sizeBytes, chunkSize } = manifest;
  if (range && (range.start < 0 || range.end < range.start || range.end >= sizeBytes)) {
    throw new RangeError(`range ${range.start}-${range.end} is outside blob ${manifest.sha256} of ${sizeBytes} bytes`);
  }
  const wanted = range ?? { start: 0, end: sizeBytes - 1 };
  async function* verified(): AsyncGenerator<Buffer> {
    if (sizeBytes === 0) return;
    const { first, last } = chunkSpan(manifest, wanted);
    const whole = range ? undefined : createHash('sha256');
    let index = first;
    for await (const chunk of rechunk(readSpan(first, last), chunkSize)) {
      const expectedLength = Math.min(chunkSize, sizeBytes - index * chunkSize);
      if (index > last || chunk.length !== expectedLength || sha256Hex(chunk) !== manifest.chunkSha256[index]) {
        throw new BlobIntegrityError(`blob ${manifest.sha256}: chunk ${index} does not match its SHA-256; the stored image is corrupt`);
      }
      whole?.update(chunk);
      const offset = index * chunkSize;
      yield chunk.subarray(Math.max(wanted.start - offset, 0), Math.min(wanted.end - offset + 1, chunk.length));
      index++;
    }
    if (index <= last) throw new BlobIntegrityError(`blob ${manifest.sha256}: chunk ${index} is missing; the stored image is corrupt`);
    if (whole && whole.digest('hex') !== manifest.sha256) {
      throw new BlobIntegrityError(`blob ${manifest.sha256}: its chunks do not hash to its SHA-256; the stored image is corrupt`);
    }
  }
  const chunks = verified();
  const head = await chunks.next();
  return Readable.from(
    (async function* () {
      try {
        if (head.done) return;
        yield head.value;
        yield* chunks;
      } finally {
        // A client that went away stops the read and releases the connection it holds.
        await chunks.return(undefined);
      }
    })(),
  );
}
