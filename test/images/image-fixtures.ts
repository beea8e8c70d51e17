/**
 * Small real files of every accepted type, made here so the tests need no binary fixtures, and
 * things that must be refused. Sizes can be padded so that uploads span many blob chunks.
 */

/** A PDF with `pages` page objects, padded with a comment to about `padTo` bytes. */
export function pdf(pages: number, padTo = 0): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ')}] /Count ${pages} >>`,
    ...Array.from({ length: pages }, () => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'),
  ];
  const body = objects.map((object, i) => `${i + 1} 0 obj\n${object}\nendobj\n`).join('');
  const head = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const padding = Math.max(0, padTo - head.length - body.length - 40);
  const tail = `trailer\n<< /Root 1 0 R /Size ${objects.length + 1} >>\n%%EOF\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'latin1'), Buffer.alloc(padding, 0x25), Buffer.from(tail, 'latin1')]);
}

/**
 * A little-endian TIFF of `pages` 1×1 grey images. `padding` bytes of pixel data come first and
 * the directories after them, as many scanners write it, so the chain starts past the first
 * few kilobytes when padded.
 */
export function tiff(pages: number, padding = 0): Buffer {
  const entries = 8;
  const ifdSize = 2 + entries * 12 + 4;
  const pixels = 8 + padding;
  const out = Buffer.alloc(pixels + pages * ifdSize);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(pixels, 4);
  for (let page = 0; page < pages; page++) {
    const at = pixels + page * ifdSize;
    out.writeUInt16LE(entries, at);
    const tags: [number, number, number][] = [
      [256, 3, 1], [257, 3, 1], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, 8], [278, 3, 1], [279, 4, 1],
    ];
    tags.forEach(([tag, type, value], i) => {
      const entry = at + 2 + i * 12;
      out.writeUInt16LE(tag, entry);
      out.writeUInt16LE(type, entry + 2);
      out.writeUInt32LE(1, entry + 4);
      if (type === 3) out.writeUInt16LE(value, entry + 8);
      else out.writeUInt32LE(value, entry + 8);
    });
    out.writeUInt32LE(page + 1 < pages ? at + ifdSize : 0, at + 2 + entries * 12);
  }
  return out;
}

export const png = (): Buffer =>
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export const jpeg = (): Buffer =>
  Buffer.from(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
    'base64',
  );

/** The start of a Linux executable: what a renamed program looks like inside. */
export function elf(size = 8192): Buffer {
  const out = Buffer.alloc(size);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(out);
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(0x3e, 18); // x86-64
  out.writeUInt32LE(1, 20);
  return out;
}

/** A Windows executable (MZ … PE). */
export function exe(size = 8192): Buffer {
  const out = Buffer.alloc(size);
  out.write('MZ', 0, 'latin1');
  out.writeUInt32LE(0x80, 0x3c);
  out.write('PE\0\0', 0x80, 'latin1');
  return out;
}
