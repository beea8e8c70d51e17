import type { Readable } from 'node:stream';

/**
 * Where scanned order images live (DESIGN §6): content-addressed by SHA-256, so the same bytes
 * are stored once, and every read is checked against the hash before a byte leaves. Two
 * adapters: PostgreSQL (the default) and S3-compatible object storage; one conformance suite
 * (test/images/blob-store.conformance.ts) for both.
 */
export interface BlobStore {
  /**
   * Stores the content `open` gives under `sha256` (64 lower-case hex digits) unless that blob
   * is already there (then `open` is not called). The content is hashed while it is written; if
   * it is not `sizeBytes` bytes hashing to `sha256`, nothing is kept and BlobIntegrityError is
   * thrown. It is consumed piece by piece, never held whole.
   */
  put(sha256: string, sizeBytes: number, open: () => AsyncIterable<Uint8Array>): Promise<{ created: boolean }>;
  /** The blob's size, or undefined when it is not stored. */
  stat(sha256: string): Promise<{ sizeBytes: number } | undefined>;
  /**
   * The blob's bytes, or the inclusive byte range `range` of them. Resolves once the first
   * chunk has been read and verified, so a missing blob (BlobNotFoundError) or a corrupt start
   * (BlobIntegrityError) is known before anything is sent; a chunk that fails its check later
   * makes the stream fail with BlobIntegrityError before any of its bytes are emitted.
   */
  read(sha256: string, range?: ByteRange): Promise<Readable>;
  close(): Promise<void>;
}

/** Inclusive byte offsets, as HTTP ranges are. */
export interface ByteRange {
  start: number;
  end: number;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly sha256: string) {
    super(`blob ${sha256} is not stored`);
  }
}

/** Stored bytes that do not hash to what they should: corruption, never to be served. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
