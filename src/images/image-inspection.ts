import { fileTypeFromBuffer, fileTypeFromFile, FileTypeResult } from 'file-type/node';
import { createReadStream } from 'node:fs';
import { IMAGE_CONTENT_TYPES, ImageContentType } from '../orders/order.events';

/**
 * What an upload is, read from its bytes alone: the type by magic bytes (never the file name or
 * the client's Content-Type), and the page count where the format lets it be read cheaply.
 */

/** file-type's own sample size: enough for every format it knows to tell itself apart. */
export const SNIFF_BYTES = 4100;

/** What content was found to be: an accepted type, or what it is instead ('unknown' when nothing matched). */
export interface Identified {
  contentType?: ImageContentType;
  found: string;
}

const identified = (detected: FileTypeResult | undefined): Identified => ({
  contentType: IMAGE_CONTENT_TYPES.find((type) => type === detected?.mime),
  found: detected?.mime ?? 'unknown',
});

/**
 * From the first SNIFF_BYTES bytes, so an executable is refused before the rest arrives. 'unknown'
 * is not yet a refusal: a TIFF whose first directory lies past the sample (scanners often write
 * it after the pixels) is only recognised from the whole file (`identifyImageFile`).
 */
export async function identifyImage(head: Uint8Array): Promise<Identified> {
  return identified(await fileTypeFromBuffer(head));
}

/** From a whole file, reading only the parts the format needs. */
export async function identifyImageFile(path: string): Promise<Identified> {
  return identified(await fileTypeFromFile(path));
}

/** Pages of a PDF file, read through once in stream-sized pieces. */
export async function pdfFilePageCount(path: string): Promise<number | undefined> {
  const counter = new PdfPageCounter();
  for await (const piece of createReadStream(path)) counter.update(piece as Buffer);
  return counter.count();
}

// PDF whitespace (ISO 32000 7.2.2); a name or keyword ends at whitespace or a delimiter.
const WS = '[\\0\\t\\n\\f\\r ]';
const PDF_TOKENS = new RegExp(`(?<![0-9])([0-9]{1,10})${WS}{1,16}[0-9]{1,5}${WS}{1,16}obj(?![A-Za-z0-9])|/Type${WS}{0,16}/Page(?![A-Za-z0-9])`, 'g');
/** Longer than any token, so one split between two pieces is always seen whole. */
const PDF_KEEP = 128;

/**
 * Counts the page objects of a PDF while it streams past: distinct object numbers whose
 * dictionary says `/Type /Page` (an incremental update that rewrites a page does not count it
 * twice). Pages kept only inside compressed object streams (PDF 1.5+) are not visible this way;
 * then there is no count rather than a wrong one. Holds a few hundred bytes, whatever the size.
 */
export class PdfPageCounter {
  private text = '';
  /** Absolute offset of text[0] in the file. */
  private offset = 0;
  /** Tokens ending at or before this absolute offset were counted already. */
  private scannedTo = 0;
  private currentObject: string | undefined;
  private readonly pages = new Set<string>();

  update(piece: Uint8Array): void {
    this.text += Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString('latin1');
    this.scan(false);
  }

  /** After the last piece: the number of pages, or undefined when none could be read. */
  count(): number | undefined {
    this.scan(true);
    return this.pages.size > 0 ? this.pages.size : undefined;
  }

  private scan(final: boolean): void {
    // A token ending at the very end may still grow (`/Page` + `s`); it is judged with the next piece.
    const safeEnd = final ? this.text.length : this.text.length - 1;
    for (const match of this.text.matchAll(PDF_TOKENS)) {
      const end = match.index + match[0].length;
      if (this.offset + end <= this.scannedTo) continue;
      if (end > safeEnd) break;
      if (match[1] !== undefined) this.currentObject = match[1];
      else this.pages.add(this.currentObject ?? `@${this.offset + match.index}`);
    }
    this.scannedTo = Math.max(this.scannedTo, this.offset + safeEnd);
    const drop = Math.max(0, this.text.length - PDF_KEEP);
    this.text = this.text.slice(drop);
    this.offset += drop;
  }
}

/** A TIFF with more pages than this is not a scanned order; counting stops rather than loop. */
const MAX_TIFF_PAGES = 10_000;

/**
 * The number of images (pages) in a TIFF or BigTIFF: the length of its chain of image file
 * directories. `read` returns up to `length` bytes at `position` of the file, so only a few
 * bytes per page are ever read. Undefined when the chain cannot be followed (a pointer past the
 * end, a loop): the upload is still a TIFF, just without a page count.
 */
export async function tiffPageCount(read: (position: number, length: number) => Promise<Buffer>, sizeBytes: number): Promise<number | undefined> {
  const header = await read(0, 16);
  if (header.length < 8) return undefined;
  const little = header.toString('latin1', 0, 2) === 'II';
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const u64 = (b: Buffer, at: number) => Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  const big = u16(header, 2) === 43;
  if (big && header.length < 16) return undefined;
  // Classic TIFF: 2-byte entry count, 12-byte entries, 4-byte next offset; BigTIFF: 8, 20, 8.
  const [countSize, entrySize, offsetSize] = big ? [8, 20, 8] : [2, 12, 4];
  const pointer = (b: Buffer, at: number) => (big ? u64(b, at) : u32(b, at));
  const seen = new Set<number>();
  let offset = pointer(header, big ? 8 : 4);
  while (offset !== 0) {
    if (seen.has(offset) || seen.size >= MAX_TIFF_PAGES || offset + countSize > sizeBytes) return undefined;
    seen.add(offset);
    const count = await read(offset, countSize);
    if (count.length < countSize) return undefined;
    const next = await read(offset + countSize + (big ? u64(count, 0) : u16(count, 0)) * entrySize, offsetSize);
    if (next.length < offsetSize) return undefined;
    offset = pointer(next, 0);
  }
  return seen.size > 0 ? seen.size : undefined;
}
