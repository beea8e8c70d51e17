import busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageContentType } from '../orders/order.events';
import { ValidationError } from '../shared/domain-error';
import { Identified, identifyImage, identifyImageFile, pdfFilePageCount, SNIFF_BYTES, tiffPageCount } from './image-inspection';

/** An upload received whole into a temporary file, hashed and inspected on the way. */
export interface ReceivedImage {
  sha256: string;
  contentType: ImageContentType;
  sizeBytes: number;
  pageCount?: number;
  fileName?: string;
  /** The temporary file; the caller removes it. */
  path: string;
}

export interface ReceiveLimits {
  maxBytes: number;
  tempDir: string;
}

/** Rules whose refusals are answered with their own HTTP status rather than 400. */
export const TOO_LARGE = 'image.too_large';
export const UNSUPPORTED_TYPE = 'image.unsupported_type';

/**
 * After a refusal the rest of the request is read and thrown away, so that every HTTP client
 * gets to read the answer (one still sending when the connection closes often sees only a reset),
 * but no more than this: past it the connection is cut.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

const FILE_FIELD = 'file';

/**
 * Streams the multipart part named `file` into a temporary file, hashing it and recognising its
 * type from its first bytes as it passes (from the whole file only when they do not tell), then
 * counts its pages. Memory stays bounded by the stream buffers whatever the size. Refuses as soon
 * as the upload passes the size limit (TOO_LARGE) or its first bytes are another known type
 * (UNSUPPORTED_TYPE), removing what was written.
 */
export function receiveImage(request: IncomingMessage, limits: ReceiveLimits): Promise<ReceivedImage> {
  if (!/^multipart\/form-data\s*;/i.test(request.headers['content-type'] ?? '')) {
    return Promise.reject(ValidationError.single(FILE_FIELD, 'image.multipart_required', 'send the image as multipart/form-data in a part named "file"'));
  }
  const path = join(limits.tempDir, `registry-upload-${randomUUID()}`);
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Form fields are not used; their size is capped so none can be made to fill memory.
      parser = busboy({ headers: request.headers, defParamCharset: 'utf8', limits: { files: 1, parts: 10, fieldSize: 1024 } });
    } catch (error) {
      return reject(ValidationError.single(FILE_FIELD, 'image.multipart_invalid', (error as Error).message));
    }
    let settled = false;
    let received: Promise<ReceivedImage> | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      drain(request);
      void rm(path, { force: true }).finally(() => reject(error));
    };
    parser.on('file', (name, file, info) => {
      if (name !== FILE_FIELD || received) return void file.resume();
      received = receiveFile(file, info.filename, path, limits.maxBytes);
      received.catch(fail);
    });
    parser.on('close', () => {
      if (!received) return fail(ValidationError.single(FILE_FIELD, 'image.file_required', 'no part named "file" was sent'));
      received.then((image) => {
        settled = true;
        resolve(image);
      }, fail);
    });
    parser.on('error', (error) => fail(ValidationError.single(FILE_FIELD, 'image.multipart_invalid', (error as Error).message)));
    request.pipe(parser);
  });
}

async function receiveFile(file: Readable, fileName: string | undefined, path: string, maxBytes: number): Promise<ReceivedImage> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let head: Buffer[] = [];
  let sniffed: Identified | undefined;

  const sniff = async () => {
    sniffed = await identifyImage(Buffer.concat(head));
    head = [];
    if (!sniffed.contentType && sniffed.found !== 'unknown') throw unsupported(sniffed);
  };
  const inspect = async (piece: Buffer) => {
    sizeBytes += piece.length;
    if (sizeBytes > maxBytes) throw ValidationError.single(FILE_FIELD, TOO_LARGE, `is larger than the limit of ${maxBytes} bytes`);
    hash.update(piece);
    if (sniffed) return;
    head.push(piece);
    if (sizeBytes >= SNIFF_BYTES) await sniff();
  };
  const inspector = new Transform({
    transform(piece: Buffer, _encoding, done) {
      inspect(piece).then(() => done(null, piece), done);
    },
    flush(done) {
      (sniffed ? Promise.resolve() : sniff()).then(() => done(), done);
    },
  });
  // wx: never follow or reuse a file someone else put there; 0600: these are court documents.
  await pipeline(file, inspector, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  const identified = sniffed?.contentType ? sniffed : await identifyImageFile(path);
  const { contentType } = identified;
  if (!contentType) throw unsupported(identified);
  return {
    sha256: hash.digest('hex'),
    contentType,
    sizeBytes,
    pageCount: await pageCountOf(contentType, path, sizeBytes),
    fileName: cleanFileName(fileName),
    path,
  };
}

function unsupported({ found }: Identified): ValidationError {
  return ValidationError.single(FILE_FIELD, UNSUPPORTED_TYPE, `is ${found}, not a PDF, TIFF, PNG or JPEG image (recognised by content, not by name)`);
}

async function pageCountOf(contentType: ImageContentType, path: string, sizeBytes: number): Promise<number | undefined> {
  switch (contentType) {
    case 'application/pdf':
      return pdfFilePageCount(path);
    case 'image/tiff': {
      const handle = await open(path, 'r');
      try {
        return await tiffPageCount(async (position, length) => {
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buffer, 0, length, position);
          return buffer.subarray(0, bytesRead);
        }, sizeBytes);
      } finally {
        await handle.close();
      }
    }
    case 'image/png':
    case 'image/jpeg':
      return 1;
  }
}

/** The name without any client path, control characters or excess length; undefined when nothing is left. */
export function cleanFileName(raw: string | undefined): string | undefined {
  const name = (raw ?? '').split(/[\\/]/).pop()!.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 255);
  return name || undefined;
}

function drain(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (piece: Buffer) => {
    drained += piece.length;
    if (drained > DRAIN_LIMIT_BYTES) request.socket.destroy();
  });
  request.resume();
}
