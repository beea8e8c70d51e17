import type { Pool } from 'pg';
import type { OrderImage } from '../orders/order.events';
import { appendOnlySql } from '../postgres/append-only';
import { runSchemaDdl } from '../postgres/schema-ddl';

/**
 * Who uploaded which image, when, and what it was found to be. Attaching an image takes its
 * type, size and pages from here, never from the client, and only an upload by someone of the
 * attaching user's own organisation counts: knowing an image's hash is not enough to claim it.
 * Append-only, like the access log: it is part of the record of who handled court documents.
 */
export interface ImageUpload extends OrderImage {
  userId: string;
  organisation: string;
  uploadedAt: string;
  client?: string | null;
}

const schemaSql = `
CREATE TABLE IF NOT EXISTS image_uploads (
  id           bigserial PRIMARY KEY,
  sha256       text NOT NULL,
  content_type text NOT NULL,
  size_bytes   bigint NOT NULL,
  page_count   integer,
  file_name    text,
  user_id      text NOT NULL,
  organisation text NOT NULL,
  uploaded_at  timestamptz NOT NULL,
  client       text
);
CREATE INDEX IF NOT EXISTS image_uploads_by_image ON image_uploads (sha256, organisation, id);
${appendOnlySql('image_uploads')}
`;

export class ImageUploads {
  constructor(private readonly pool: Pool) {}

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, schemaSql);
  }

  async record(upload: ImageUpload): Promise<void> {
    await this.pool.query(
      `INSERT INTO image_uploads (sha256, content_type, size_bytes, page_count, file_name, user_id, organisation, uploaded_at, client)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        upload.sha256, upload.contentType, upload.sizeBytes, upload.pageCount ?? null, upload.fileName ?? null,
        upload.userId, upload.organisation, upload.uploadedAt, upload.client ?? null,
      ],
    );
  }

  /** The image as uploaded by someone of `organisation` (the latest such upload), or undefined. */
  async imageFor(sha256: string, organisation: string): Promise<OrderImage | undefined> {
    const { rows } = await this.pool.query(
      `SELECT content_type, size_bytes, page_count, file_name FROM image_uploads
        WHERE sha256 = $1 AND organisation = $2 ORDER BY id DESC LIMIT 1`,
      [sha256, organisation],
    );
    const row = rows[0];
    return (
      row && {
        sha256,
        contentType: row.content_type,
        sizeBytes: Number(row.size_bytes),
        ...(row.page_count === null ? {} : { pageCount: row.page_count }),
        ...(row.file_name === null ? {} : { fileName: row.file_name }),
      }
    );
  }
}
