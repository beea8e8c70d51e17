import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { AccessLog } from '../access/access-log';
import { can, Decision, orderFactsOf, toDomainError } from '../access/access-policy';
import { ACCESS_LOG } from '../access/access.tokens';
import { CLOCK, Clock } from '../app/clock';
import { CONFIG, EVENT_STORE } from '../app/infrastructure.module';
import type { Config } from '../config/config';
import { EventStore } from '../event-store/event-store.port';
import { orderAsOf } from '../orders/order-history';
import type { OrderImage } from '../orders/order.events';
import type { Caller } from '../orders/order.service';
import { NotFoundError, ValidationError } from '../shared/domain-error';
import { BlobIntegrityError, BlobStore, SHA256_PATTERN } from './blob-store.port';
import { parseRange } from './byte-range';
import { ImageUploads } from './image-uploads';
import { receiveImage } from './image-receiver';
import { BLOB_STORE, IMAGE_UPLOADS } from './images.tokens';

/** What `POST /images` answers. imageId is the SHA-256 of the content: what attachImage and addQuickAttach take. */
export interface UploadedImage {
  imageId: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
  pageCount: number | null;
  fileName: string | null;
}

/** What a download is of, and what the one policy said about it. */
export interface DownloadAccess {
  /** 'order' or 'quick attach': names what is missing in a NOT_FOUND. */
  what: string;
  /** The order's or quick attach's id: the access log's target. */
  target: string;
  /** undefined when the target is missing and so its image unknown. */
  imageId?: string;
  /** undefined: the order or quick attach does not exist. */
  decision: Decision | undefined;
  /** The image, when the target has one with that id. */
  image: OrderImage | undefined;
  details?: Record<string, unknown>;
}

export const RANGE_NOT_SATISFIABLE = 'image.range_not_satisfiable';

/** The order exactly as its events say now: a revision past the end answers the current order. */
const CURRENT = { revision: Number.MAX_SAFE_INTEGER };

const logger = new Logger('Images');

/**
 * Upload and download of scanned order images (DESIGN §6) over plain HTTP. Downloads are
 * authorised by the one policy and every one, refused ones too, is written to the access log.
 */
@Injectable()
export class ImageService {
  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(IMAGE_UPLOADS) private readonly uploads: ImageUploads,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLog,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async upload(caller: Caller, request: Request): Promise<UploadedImage> {
    const { principal } = caller;
    const decision = can(principal, 'image.upload');
    if (!decision.allowed) throw toDomainError(decision, 'image', 'upload');
    const received = await receiveImage(request, { maxBytes: this.config.IMAGE_MAX_BYTES, tempDir: this.config.IMAGE_TEMP_DIR ?? tmpdir() });
    try {
      const { path, ...image } = received;
      await this.blobs.put(image.sha256, image.sizeBytes, () => createReadStream(path));
      const { userId, organisation } = principal;
      await this.uploads.record({ ...image, userId, organisation, uploadedAt: this.clock.now().toISOString(), client: caller.client });
      return {
        imageId: image.sha256,
        sha256: image.sha256,
        contentType: image.contentType,
        sizeBytes: image.sizeBytes,
        pageCount: image.pageCount ?? null,
        fileName: image.fileName ?? null,
      };
    } finally {
      await rm(received.path, { force: true });
    }
  }

  /**
   * An image of an order, judged like the order's other details (`order.viewImage`) on the
   * order's current events rather than a read model: an image can be fetched the moment it is
   * attached, and a seal applies to it at once.
   */
  async orderImageAccess(caller: Caller, orderId: string, imageId: string): Promise<DownloadAccess> {
    const order = await orderAsOf(this.store, orderId, CURRENT);
    return {
      what: 'order',
      target: orderId,
      imageId,
      decision: order && can(caller.principal, 'order.viewImage', orderFactsOf(order)),
      image: order?.images.find((image) => image.sha256 === imageId),
    };
  }

  /** Logs the download, then refuses it as the policy said or sends the image (a byte range of it when asked). */
  async download(caller: Caller, access: DownloadAccess, request: Request, response: Response): Promise<void> {
    const { what, target, imageId, decision, image, details } = access;
    const range = request.headers.range;
    // Express answers HEAD through the GET route: authorised and logged the same, marked as such, no bytes read.
    const headOnly = request.method === 'HEAD';
    const refusal = !decision ? 'not_found' : !decision.allowed ? decision.rule : !image ? 'not_found' : undefined;
    await this.accessLog.recordFor(caller, this.clock.now(), {
      action: 'image_download',
      outcome: refusal ? 'refused' : 'ok',
      target,
      details: {
        ...(imageId ? { imageId } : {}),
        ...(headOnly ? { method: 'HEAD' } : {}),
        ...(range ? { range } : {}),
        ...details,
        ...(refusal ? { rule: refusal } : {}),
      },
    });
    if (!decision) throw new NotFoundError(what, target);
    if (!decision.allowed) throw toDomainError(decision, what, target);
    if (!image) throw new NotFoundError('image', imageId ?? '');
    await this.send(image, range, response, headOnly);
  }

  private async send(image: OrderImage, rangeHeader: string | undefined, response: Response, headOnly: boolean): Promise<void> {
    const stored = await this.blobs.stat(image.sha256);
    if (!stored) throw new BlobIntegrityError(`image ${image.sha256} is attached but not in the blob store`);
    const size = stored.sizeBytes;
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') {
      response.setHeader('Content-Range', `bytes */${size}`);
      throw ValidationError.single('range', RANGE_NOT_SATISFIABLE, `asks for bytes past the end of the image (${size} bytes)`);
    }
    // Read (and so integrity-checked) before any header is set, so a corrupt image can still be answered with 500.
    const content = headOnly ? undefined : await this.blobs.read(image.sha256, range);
    response.status(range ? 206 : 200).set({
      'Content-Type': image.contentType,
      'Content-Length': String(range ? range.end - range.start + 1 : size),
      'Accept-Ranges': 'bytes',
      // Content-addressed: the same id never names other bytes.
      ETag: `"${image.sha256}"`,
      // Court documents: never kept by a shared cache, and never sniffed into something else.
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': image.fileName ? `inline; filename*=UTF-8''${encodeURIComponent(image.fileName)}` : 'inline',
      ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } : {}),
    });
    if (!content) {
      response.end();
      return;
    }
    try {
      await pipeline(content, response);
    } catch (error) {
      if (error instanceof BlobIntegrityError) throw error; // the error filter cuts the response short and logs it
      logger.warn(`download of ${image.sha256} ended early: ${(error as Error).message}`);
    }
  }
}

/** A route parameter that must be an image id (a SHA-256 in hex). */
export function imageIdParam(value: string, field = 'imageId'): string {
  const id = value.toLowerCase();
  if (!SHA256_PATTERN.test(id)) throw ValidationError.single(field, 'sha256_format', 'must be the image id: 64 hexadecimal digits');
  return id;
}
