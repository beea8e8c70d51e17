import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../src/access/access-policy';
import { CHUNK_SIZE } from '../../src/images/blob-chunks';
import { Api, codes, startApi, tokenOf } from '../support/api';
import { provisionOrganisation, provisionUser } from '../support/identity-fixtures';
import { addOrder, mutate, orderData, resultOf } from '../support/order-api';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { download, orderImagePath, upload, uploaded, uploadStream } from './image-api';
import { elf, exe, jpeg, pdf, png, tiff } from './image-fixtures';
import { peakGrowthDuring } from './memory';

/**
 * Images over HTTP against the running app on the real PostgreSQL: upload recognised by
 * content, refusals that store nothing, attach by id, download with ranges, the access log,
 * and integrity on read.
 */

const COURT_A = { county: 'Alameda', ori: 'CA010015J' };
const COURT_B = { county: 'Alpine', ori: 'CA020015J' };
const LIMIT = 4 * 1024 * 1024;
const MB = 1024 * 1024;

let db: TestDatabase;
let api: Api;
let temp: string;
const token: Record<string, string> = {};

const users: Record<string, { org: string; roles: Role[] }> = {
  quA: { org: COURT_A.ori, roles: ['QUERY_UPDATE'] },
  qoA: { org: COURT_A.ori, roles: ['QUERY_ONLY'] },
  quB: { org: COURT_B.ori, roles: ['QUERY_UPDATE'] },
};

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'registry-images-test-'));
  db = await createTestDatabase(2);
  api = await startApi(db, { env: { PROCESSES: 'api,projector', IMAGE_MAX_BYTES: String(LIMIT), IMAGE_TEMP_DIR: temp } });
  const sysadmin = await tokenOf(api);
  for (const court of [COURT_A, COURT_B]) await provisionOrganisation(api, sysadmin, court);
  for (const [name, user] of Object.entries(users)) token[name] = await provisionUser(api, user.org, { userId: name.toLowerCase(), roles: user.roles });
}, 60_000);
afterAll(async () => {
  await api?.app.close();
  await db.drop();
  rmSync(temp, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What the store holds: blobs, their chunks and upload records. */
async function stored(): Promise<{ blobs: number; chunks: number; uploads: number }> {
  const { rows } = await db.pool.query(`SELECT (SELECT count(*) FROM image_blobs)::int AS blobs,
    (SELECT count(*) FROM image_blob_chunks)::int AS chunks, (SELECT count(*) FROM image_uploads)::int AS uploads`);
  return rows[0];
}

describe('upload: recognised by content, never by name or declared type', () => {
  it.each([
    ['a 3-page PDF', pdf(3), 'application/pdf', 3],
    ['a 7-page PDF spanning several blob chunks', pdf(7, 900_000), 'application/pdf', 7],
    ['a 3-page TIFF whose directories follow 10 kB of pixels', tiff(3, 10_000), 'image/tiff', 3],
    ['a PNG', png(), 'image/png', 1],
    ['a JPEG', jpeg(), 'image/jpeg', 1],
  ])('%s is taken with its type, size and pages', async (_, bytes, contentType, pageCount) => {
    const answered = await upload(api, token.quA, bytes, 'C:\\scans\\photo.gif', 'text/plain');
    expect(answered.status).toBe(201);
    expect(answered.json).toEqual({ imageId: sha256(bytes), sha256: sha256(bytes), contentType, sizeBytes: bytes.length, pageCount, fileName: 'photo.gif' });
    expect(readdirSync(temp)).toEqual([]);
  });

  it('takes an upload of exactly the limit, and refuses one byte more', async () => {
    const atLimit = Buffer.concat([pdf(1), Buffer.alloc(LIMIT - pdf(1).length, 0x20)]);
    expect((await upload(api, token.quA, atLimit)).status).toBe(201);
    const over = await upload(api, token.quA, Buffer.concat([atLimit, Buffer.from(' ')]));
    expect(over.status).toBe(413);
  });

  it('keeps the same bytes once, however often they are uploaded', async () => {
    const bytes = pdf(2, 3 * CHUNK_SIZE);
    const before = await stored();
    const ids = [await uploaded(api, token.quA, bytes), await uploaded(api, token.quB, bytes)];
    expect(new Set(ids)).toEqual(new Set([sha256(bytes)]));
    expect(await stored()).toEqual({ blobs: before.blobs + 1, chunks: before.chunks + 3, uploads: before.uploads + 2 });
  });
});

describe('refused uploads store nothing and leave no file behind', () => {
  it.each([
    ['a Linux executable renamed order.pdf', elf(), 'order.pdf', 'application/pdf', 'application/x-elf'],
    ['a Windows executable renamed scan.tif', exe(), 'scan.tif', 'image/tiff', 'application/x-msdownload'],
    ['a text file renamed order.png', Buffer.from('not an image at all\n'.repeat(50)), 'order.png', 'image/png', 'unknown'],
    ['an empty file', Buffer.alloc(0), 'order.pdf', 'application/pdf', 'unknown'],
  ])('%s: 415', async (_, bytes, name, declared, found) => {
    const before = await stored();
    const answered = await upload(api, token.quA, bytes, name, declared);
    expect(answered.status).toBe(415);
    expect(answered.json).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', rule: 'image.unsupported_type' });
    expect(answered.json.message).toContain(found);
    expect(await stored()).toEqual(before);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('an oversize upload: 413 once it passes the limit, without holding it in memory or on disk', async () => {
    const before = await stored();
    const { result: answered, peakGrowthBytes } = await peakGrowthDuring(() => uploadStream(api, token.quA, 25 * MB, pdf(1)));
    expect(answered.status).toBe(413);
    expect(answered.json).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', rule: 'image.too_large' });
    expect(await stored()).toEqual(before);
    expect(readdirSync(temp)).toEqual([]);
    // Holding the 25 MB (or even the 4 MB up to the limit) would show here.
    expect(peakGrowthBytes).toBeLessThan(3 * MB);
  }, 30_000); // the memory sampler collects garbage every few milliseconds: slow on a busy machine, and not what is measured

  it('401 without a session (and nothing read), 403 for a query-only user, 400 for what is not a multipart upload of a file', async () => {
    const unauthenticated = await upload(api, undefined, png());
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer');
    expect(unauthenticated.json).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await upload(api, token.qoA, png())).toMatchObject({ status: 403, json: { code: 'FORBIDDEN', rule: 'access.update_role_required' } });
    const json = await fetch(`${api.baseUrl}/images`, { method: 'POST', headers: { authorization: `Bearer ${token.quA}`, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ field: 'file', rule: 'image.multipart_required' });
    const form = new FormData();
    form.append('other', new Blob([png()]), 'x.png');
    const wrongPart = await fetch(`${api.baseUrl}/images`, { method: 'POST', headers: { authorization: `Bearer ${token.quA}` }, body: form });
    expect(wrongPart.status).toBe(400);
    expect(await wrongPart.json()).toMatchObject({ field: 'file', rule: 'image.file_required' });
  });
});

const ATTACH = `mutation ($key: String!, $orderId: ID!, $imageId: String!, $fileName: String) {
  r: attachImage(idempotencyKey: $key, orderId: $orderId, imageId: $imageId, fileName: $fileName) {
    orderId position order { ... on Order { images { sha256 contentType sizeBytes pageCount fileName } } } } }`;

describe('attach by id, download with ranges', () => {
  const scan = pdf(7, 3 * CHUNK_SIZE + 1000);
  let orderId: string;
  let imageId: string;

  beforeAll(async () => {
    orderId = (await addOrder(api, token.quA, orderData(COURT_A))).orderId;
    imageId = await uploaded(api, token.quA, scan, 'petition.pdf');
  });

  it('attachImage takes type, size and pages from the upload; the client sends only the id', async () => {
    const attached = resultOf(await api.post(ATTACH, { key: 'attach-1', orderId, imageId: imageId.toUpperCase(), fileName: 'DV-110 signed.pdf' }, token.quA));
    expect(attached.order!.images).toEqual([
      { sha256: imageId, contentType: 'application/pdf', sizeBytes: scan.length, pageCount: 7, fileName: 'DV-110 signed.pdf' },
    ]);
    const lying = await api.post(
      `mutation { attachImage(idempotencyKey: "k", orderId: "${orderId}", imageId: "${imageId}", contentType: "image/png", sizeBytes: 1) { orderId } }`,
      {},
      token.quA,
    );
    expect(new Set(codes(lying))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });

  it('refuses an id nobody of the user’s organisation uploaded: unknown, or uploaded by another court', async () => {
    expect(codes(await mutate(api, token.quA, 'attach', { orderId, imageId: 'f'.repeat(64) }))).toEqual(['NOT_FOUND']);
    const theirs = await uploaded(api, token.quB, Buffer.concat([png(), randomBytes(16)])); // only court B ever uploaded these bytes
    const answer = await mutate(api, token.quA, 'attach', { orderId, imageId: theirs });
    expect(answer.errors![0]).toMatchObject({ message: `image ${theirs} not found`, extensions: { code: 'NOT_FOUND' } });
    expect(codes(await mutate(api, token.quA, 'attach', { orderId, imageId: 'not-a-hash' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('sends the image whole, with its type, length, strong ETag, and no caching', async () => {
    const got = await download(api, token.qoA, orderImagePath(orderId, imageId));
    expect(got.status).toBe(200);
    expect(got.bytes.equals(scan)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'accept-ranges', 'etag', 'cache-control', 'x-content-type-options', 'content-disposition'].map((h) => [h, got.headers.get(h)]))).toEqual({
      'content-type': 'application/pdf',
      'content-length': String(scan.length),
      'accept-ranges': 'bytes',
      etag: `"${imageId}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-disposition': "inline; filename*=UTF-8''DV-110%20signed.pdf",
    });
  });

  it('answers byte ranges with 206 (within a chunk, across chunks, suffix, open end), 416 past the end, the whole for several ranges', async () => {
    const path = orderImagePath(orderId, imageId);
    const size = scan.length;
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      [`bytes=${CHUNK_SIZE - 50}-${2 * CHUNK_SIZE + 50}`, CHUNK_SIZE - 50, 2 * CHUNK_SIZE + 50],
      ['bytes=-500', size - 500, size - 1],
      [`bytes=${size - 10}-`, size - 10, size - 1],
    ] as const) {
      const got = await download(api, token.qoA, path, { range });
      expect({ range, status: got.status, contentRange: got.headers.get('content-range'), length: got.headers.get('content-length') }).toEqual({
        range, status: 206, contentRange: `bytes ${start}-${end}/${size}`, length: String(end - start + 1),
      });
      expect(got.bytes.equals(scan.subarray(start, end + 1))).toBe(true);
    }
    const past = await download(api, token.qoA, path, { range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    const several = await download(api, token.qoA, path, { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.bytes.length).toBe(size);
  });

  it('answers 404 for an image not attached to that order and 400 for ids that are not ids', async () => {
    const other = await uploaded(api, token.quA, jpeg());
    expect(await download(api, token.qoA, orderImagePath(orderId, other))).toMatchObject({ status: 404, json: { code: 'NOT_FOUND', message: `image ${other} not found` } });
    expect(await download(api, token.qoA, orderImagePath('not-a-uuid', imageId))).toMatchObject({ status: 400, json: { field: 'orderId' } });
    expect(await download(api, token.qoA, orderImagePath(orderId, 'abc'))).toMatchObject({ status: 400, json: { field: 'imageId' } });
    expect((await download(api, undefined, orderImagePath(orderId, imageId))).status).toBe(401);
  });

  it('writes every download to the access log, refused ones with their rule, and HEAD requests marked as such', async () => {
    const { rows: [{ last }] } = await db.pool.query('SELECT coalesce(max(id), 0) AS last FROM access_log');
    await download(api, token.qoA, orderImagePath(orderId, imageId), { range: 'bytes=0-9' });
    await download(api, token.quB, orderImagePath(orderId, imageId));
    const missing = '00000000-0000-4000-8000-000000000000';
    await download(api, token.qoA, orderImagePath(missing, imageId));
    const head = await fetch(`${api.baseUrl}${orderImagePath(orderId, imageId)}`, { method: 'HEAD', headers: { authorization: `Bearer ${token.qoA}` } });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(scan.length), 0]);
    const { rows } = await db.pool.query(
      `SELECT user_id, organisation, outcome, target, details FROM access_log WHERE action = 'image_download' AND id > $1 ORDER BY id`,
      [last],
    );
    expect(rows).toEqual([
      { user_id: 'qoa', organisation: COURT_A.ori, outcome: 'ok', target: orderId, details: { imageId, range: 'bytes=0-9' } },
      { user_id: 'qub', organisation: COURT_B.ori, outcome: 'ok', target: orderId, details: { imageId } },
      { user_id: 'qoa', organisation: COURT_A.ori, outcome: 'refused', target: missing, details: { imageId, rule: 'not_found' } },
      { user_id: 'qoa', organisation: COURT_A.ori, outcome: 'ok', target: orderId, details: { imageId, method: 'HEAD' } },
    ]);
  });

  it('never serves a corrupt image: 500 when its first chunk is corrupt, a body cut short when a later one is', async () => {
    const corruptAt = async (bytes: Buffer, chunk: number) => {
      const id = await uploaded(api, token.quA, bytes);
      const order = (await addOrder(api, token.quA, orderData(COURT_A))).orderId;
      resultOf(await mutate(api, token.quA, 'attach', { orderId: order, imageId: id }));
      await db.pool.query(
        `UPDATE image_blob_chunks SET data = set_byte(data, 3, get_byte(data, 3) # 1)
          WHERE chunk = $2 AND blob_id = (SELECT blob_id FROM image_blobs WHERE sha256 = $1)`,
        [id, chunk],
      );
      return orderImagePath(order, id);
    };
    const first = await download(api, token.qoA, await corruptAt(pdf(1, 2 * CHUNK_SIZE), 0));
    expect(first.status).toBe(500);
    expect(first.json).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'internal server error; it has been logged' });

    const laterBytes = pdf(2, 3 * CHUNK_SIZE);
    const response = await fetch(`${api.baseUrl}${await corruptAt(laterBytes, 2)}`, { headers: { authorization: `Bearer ${token.qoA}` } });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow(); // the connection is cut before the corrupt chunk
  });
});
