import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { runSchemaDdl } from '../postgres/schema-ddl';
import { BlobManifest, CHUNK_SIZE, ManifestBuilder, rechunk, verifiedRead } from './blob-chunks';
import { BlobNotFoundError, BlobStore, ByteRange } from './blob-store.port';

/*
 * Chunks are written under a fresh blob id, each in its own short statement (a 20 MB image in
 * one transaction would hold back every event subscriber for its duration; docs/decisions.md),
 * and the manifest row is written last: a blob exists once its row does. Two writers of the
 * same bytes each write their own chunks; the one whose row lands first stands, the other
 * removes its chunks, so neither can spoil what the other stored.
 * Images are already compressed (JPEG, PNG, most PDFs and TIFFs), so the chunks are stored
 * out of line without TOAST compression (STORAGE EXTERNAL).
 */
const schemaSql = `
CREATE TABLE IF NOT EXISTS image_blobs (
  sha256       text PRIMARY KEY,
  blob_id      uuid NOT NULL UNIQUE,
  size_bytes   bigint NOT NULL,
  chunk_size   integer NOT NULL,
  chunk_sha256 text[] NOT NULL,
  stored_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS image_blob_chunks (
  blob_id uuid NOT NULL,
  chunk   integer NOT NULL,
  data    bytea NOT NULL,
  PRIMARY KEY (blob_id, chunk)
);
ALTER TABLE image_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
`;

interface ManifestRow {
  blob_id: string;
  size_bytes: string;
  chunk_size: number;
  chunk_sha256: string[];
}

/** The default blob store: images in the registry's own PostgreSQL. */
export class PostgresBlobStore implements BlobStore {
  constructor(private readonly pool: Pool) {}

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, schemaSql);
  }

  async put(sha256: string, sizeBytes: number, open: () => AsyncIterable<Uint8Array>): Promise<{ created: boolean }> {
    if (await this.stat(sha256)) return { created: false };
    const blobId = randomUUID();
    try {
      const manifest = new ManifestBuilder({ sha256, sizeBytes });
      let index = 0;
      for await (const chunk of rechunk(open(), CHUNK_SIZE)) {
        manifest.update(chunk);
        await this.pool.query('INSERT INTO image_blob_chunks (blob_id, chunk, data) VALUES ($1, $2, $3)', [blobId, index++, chunk]);
      }
      const { chunkSize, chunkSha256 } = manifest.finish();
      const { rowCount } = await this.pool.query(
        `INSERT INTO image_blobs (sha256, blob_id, size_bytes, chunk_size, chunk_sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sha256) DO NOTHING`,
        [sha256, blobId, sizeBytes, chunkSize, chunkSha256],
      );
      if (rowCount === 1) return { created: true };
      await this.removeChunks(blobId); // another writer stored the same bytes meanwhile; theirs stands
      return { created: false };
    } catch (error) {
      await this.removeChunks(blobId).catch(() => undefined);
      throw error;
    }
  }

  async stat(sha256: string): Promise<{ sizeBytes: number } | undefined> {
    const manifest = await this.manifest(sha256);
    return manifest && { sizeBytes: manifest.sizeBytes };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const manifest = await this.manifest(sha256);
    if (!manifest) throw new BlobNotFoundError(sha256);
    const { pool } = this;
    const blobId = manifest.blobId;
    // One chunk per query: a whole 20 MB read never sits in memory (a single SELECT would fetch it all).
    return verifiedRead(manifest, range, async function* (first, last) {
      for (let chunk = first; chunk <= last; chunk++) {
        const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM image_blob_chunks WHERE blob_id = $1 AND chunk = $2', [blobId, chunk]);
        if (!rows[0]) return; // verifiedRead names the missing chunk
        yield rows[0].data;
      }
    });
  }

  async close(): Promise<void> {
    // The pool belongs to the process, not to the store.
  }

  private async manifest(sha256: string): Promise<(BlobManifest & { blobId: string }) | undefined> {
    const { rows } = await this.pool.query<ManifestRow>(
      'SELECT blob_id, size_bytes, chunk_size, chunk_sha256 FROM image_blobs WHERE sha256 = $1',
      [sha256],
    );
    const row = rows[0];
    return row && { sha256, blobId: row.blob_id, sizeBytes: Number(row.size_bytes), chunkSize: row.chunk_size, chunkSha256: row.chunk_sha256 };
  }

  private async removeChunks(blobId: string): Promise<void> {
    await this.pool.query('DELETE FROM image_blob_chunks WHERE blob_id = $1', [blobId]);
  }
}
