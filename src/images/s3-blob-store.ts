import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobManifest, ManifestBuilder, verifiedRead } from './blob-chunks';
import { BlobIntegrityError, BlobNotFoundError, BlobStore, ByteRange } from './blob-store.port';

export interface S3BlobStoreOptions {
  /** Unset: AWS S3 itself; set for MinIO and other S3-compatible servers. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Unset: the SDK's default credential chain (environment, instance role, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** MinIO and most S3-compatible servers want bucket/key paths rather than bucket host names. */
  forcePathStyle: boolean;
  /** Prepended to every key, e.g. `registry/`; tests use one per run. */
  prefix?: string;
}

/**
 * The blob store on S3-compatible object storage, for scale (DESIGN §6). One object per image
 * at `blobs/<sha256>`, and its manifest (chunk hashes, blobs-chunks.ts) at
 * `blobs/<sha256>.manifest.json`, written last: a blob exists once its manifest does. New bytes
 * go to a staging key first and are copied into place only once they have hashed to their
 * name, so `blobs/<sha256>` never holds anything but those bytes. A range read fetches only
 * the chunks it needs (an HTTP Range on the object) and checks each before emitting it.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    const { endpoint, region, bucket, accessKeyId, secretAccessKey, forcePathStyle, prefix = '' } = options;
    this.bucket = bucket;
    this.prefix = prefix;
    this.client = new S3Client({
      endpoint,
      region,
      forcePathStyle,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      // The store checks SHA-256 itself; S3-compatible servers differ in which of the SDK's own
      // default checksums (CRC32 in aws-chunked trailers) they accept, so ask for none.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(sha256: string, sizeBytes: number, open: () => AsyncIterable<Uint8Array>): Promise<{ created: boolean }> {
    if (await this.manifest(sha256)) return { created: false };
    const manifest = new ManifestBuilder({ sha256, sizeBytes });
    const staging = this.key(`staging/${randomUUID()}`);
    let complete: BlobManifest | undefined;
    let refused: unknown;
    // The SDK does not end a request whose body fails: content shorter than its declared length would leave it waiting.
    const abort = new AbortController();
    try {
      const body = Readable.from(
        (async function* () {
          try {
            for await (const piece of open()) {
              manifest.update(piece);
              yield piece;
            }
            complete = manifest.finish();
          } catch (error) {
            refused = error;
            abort.abort(error);
            throw error;
          }
        })(),
      );
      // A refusal at the very end can come after the SDK stopped listening; it is rethrown below.
      body.on('error', () => undefined);
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: staging, Body: body, ContentLength: sizeBytes }), {
          abortSignal: abort.signal,
        });
      } catch (error) {
        throw refused ?? error; // the SDK may wrap the reason the body failed
      }
      if (!complete) throw refused;
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: this.contentKey(sha256), CopySource: encodeURI(`${this.bucket}/${staging}`) }),
      );
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.manifestKey(sha256),
          Body: JSON.stringify(complete!),
          ContentType: 'application/json',
        }),
      );
      return { created: true };
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: staging })).catch(() => undefined);
    }
  }

  async stat(sha256: string): Promise<{ sizeBytes: number } | undefined> {
    const manifest = await this.manifest(sha256);
    return manifest && { sizeBytes: manifest.sizeBytes };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const manifest = await this.manifest(sha256);
    if (!manifest) throw new BlobNotFoundError(sha256);
    const { client, bucket } = this;
    const key = this.contentKey(sha256);
    return verifiedRead(manifest, range, async function* (first, last) {
      const from = first * manifest.chunkSize;
      const to = Math.min((last + 1) * manifest.chunkSize, manifest.sizeBytes) - 1;
      let body: AsyncIterable<Uint8Array>;
      try {
        body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${to}` }))).Body as AsyncIterable<Uint8Array>;
      } catch (error) {
        if (isNotFound(error)) throw new BlobIntegrityError(`blob ${sha256}: its manifest is stored but its content is missing`);
        throw error;
      }
      yield* body;
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async manifest(sha256: string): Promise<BlobManifest | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.manifestKey(sha256) }));
      return JSON.parse(await Body!.transformToString()) as BlobManifest;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private contentKey(sha256: string): string {
    return this.key(`blobs/${sha256}`);
  }

  private manifestKey(sha256: string): string {
    return this.key(`blobs/${sha256}.manifest.json`);
  }
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}
