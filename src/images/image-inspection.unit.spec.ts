import { pdf, tiff } from '../../test/images/image-fixtures';
import { PdfPageCounter, tiffPageCount } from './image-inspection';

const countPdf = (bytes: Buffer, pieceSize: number) => {
  const counter = new PdfPageCounter();
  for (let at = 0; at < bytes.length; at += pieceSize) counter.update(bytes.subarray(at, at + pieceSize));
  return counter.count();
};

describe('PDF page count while streaming', () => {
  it('counts page objects, not the page tree, however the bytes are split', () => {
    const file = pdf(7);
    for (const pieceSize of [1, 2, 3, 5, 7, 11, 64, 4096, file.length]) expect(countPdf(file, pieceSize)).toBe(7);
  });

  it('counts a page object rewritten by an incremental update once', () => {
    const update = Buffer.from('4 0 obj\n<< /Type /Page /Parent 2 0 R /Rotate 90 >>\nendobj\n%%EOF\n', 'latin1');
    expect(countPdf(Buffer.concat([pdf(3), update]), 5)).toBe(3);
  });

  it('reads /Type/Page written without spaces and ignores /Pages and /PageLabels', () => {
    const text = '%PDF-1.7\n1 0 obj<</Type/Pages/Count 2>>endobj 2 0 obj<</Type/Page>>endobj 3 0 obj<</Type /Page/Parent 1 0 R>>endobj 4 0 obj<</PageLabels 5 0 R>>endobj';
    expect(countPdf(Buffer.from(text, 'latin1'), 3)).toBe(2);
  });

  it('has no count rather than a wrong one when no page object is visible (compressed object streams)', () => {
    expect(countPdf(Buffer.from('%PDF-1.5\n1 0 obj<</Type/ObjStm/N 3/Filter/FlateDecode>>stream\nx\x9c...\nendstream endobj', 'latin1'), 4)).toBeUndefined();
  });

  it('holds a bounded tail, not the file', () => {
    const counter = new PdfPageCounter();
    const file = pdf(2, 2_000_000);
    for (let at = 0; at < file.length; at += 65536) counter.update(file.subarray(at, at + 65536));
    expect(JSON.stringify(counter).length).toBeLessThan(1000);
    expect(counter.count()).toBe(2);
  });
});

const reader = (bytes: Buffer) => async (position: number, length: number) => bytes.subarray(position, position + length);

describe('TIFF page count from the directory chain', () => {
  it('follows the chain, also when the directories come after the pixels', async () => {
    for (const [pages, padding] of [[1, 0], [3, 0], [5, 100_000]]) {
      const file = tiff(pages, padding);
      expect(await tiffPageCount(reader(file), file.length)).toBe(pages);
    }
  });

  it('reads big-endian TIFF and BigTIFF', async () => {
    const big = Buffer.alloc(64);
    big.write('MM', 0, 'latin1');
    big.writeUInt16BE(42, 2);
    big.writeUInt32BE(8, 4);
    big.writeUInt16BE(0, 8); // no entries
    big.writeUInt32BE(14, 10); // next directory
    big.writeUInt16BE(0, 14);
    big.writeUInt32BE(0, 16);
    expect(await tiffPageCount(reader(big), big.length)).toBe(2);

    const bigTiff = Buffer.alloc(64);
    bigTiff.write('II', 0, 'latin1');
    bigTiff.writeUInt16LE(43, 2);
    bigTiff.writeUInt16LE(8, 4);
    bigTiff.writeBigUInt64LE(16n, 8);
    bigTiff.writeBigUInt64LE(0n, 16); // no entries
    bigTiff.writeBigUInt64LE(0n, 24); // last directory
    expect(await tiffPageCount(reader(bigTiff), bigTiff.length)).toBe(1);
  });

  it('gives up on a loop or a pointer past the end instead of guessing', async () => {
    const looping = tiff(2);
    looping.writeUInt32LE(8, looping.length - 4); // the last directory points back at the first
    expect(await tiffPageCount(reader(looping), looping.length)).toBeUndefined();
    const truncated = tiff(3).subarray(0, 120);
    expect(await tiffPageCount(reader(truncated), truncated.length)).toBeUndefined();
  });
});
