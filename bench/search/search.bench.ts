/**
 * Order search latency at statewide scale: BENCH_ORDERS generated orders (default 1,000,000)
 * written straight into the order search tables of a throw-away schema, then p50/p99 of
 * searchOrders for exact, prefix, suffix and infix last names and exact case numbers.
 *
 *   npm run bench:search
 *   BENCH_ORDERS=200000 BENCH_QUERIES=300 npm run bench:search
 *
 * A read benchmark: no events are appended; rows are built by the projection's own row
 * functions and written by its batch writer. BENCH_KEEP=1 keeps the schema (named in the
 * output) for EXPLAIN; BENCH_SCHEMA=<that schema> measures again without loading (after a
 * change to the query). Uses DATABASE_URL or the local server / embedded PostgreSQL like
 * `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { OrderGenerator, seededRandom } from '../../src/demo/order-generator';
import { runBenchmark, withThrowAwaySchema } from '../support/throw-away-schema';
import { createGeneration, ensureRegistrySchema, swapLive } from '../../src/projection-engine/projection-registry';
import { tableNames } from '../../src/projection-engine/projection';
import { OrderSearchStatus, orderRow, orderSearchProjection, insertOrders } from '../../projections/order-search/order-search.projection';
import { OrderSearchCriteria, searchOrders } from '../../projections/order-search/order-search.query';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const BATCH = 5000;
const KEEP = process.env.BENCH_KEEP === '1';
const REUSE = process.env.BENCH_SCHEMA;

/** A registry some years in: most orders have run out or been cancelled; a few are drafts or sealed. */
function lifecycle(random: () => number): { status: OrderSearchStatus; sealed: boolean } {
  const r = random();
  const status: OrderSearchStatus = r < 0.03 ? 'DRAFT' : r < 0.45 ? 'ACTIVE' : r < 0.6 ? 'CANCELLED' : 'EXPIRED';
  return { status, sealed: random() < 0.02 };
}

/**
 * A sample of the loaded orders' case numbers and restrained persons, to draw search terms from:
 * a name comes up as often as people carry it, as a clerk's searches do (Garcia often, and then
 * capped; most names rarely, and counted exactly).
 */
interface Samples {
  caseNumbers: string[];
  persons: { last: string; first: string; dateOfBirth: string }[];
}

async function load(pool: Pool, generation: number): Promise<Samples> {
  const generator = new OrderGenerator(20261122);
  const random = seededRandom(7);
  const names = tableNames(orderSearchProjection, generation);
  const caseNumbers: string[] = [];
  const persons: Samples['persons'] = [];
  const started = Date.now();
  for (let done = 0; done < ORDERS; done += BATCH) {
    const entries = Array.from({ length: Math.min(BATCH, ORDERS - done) }, () => {
      const data = generator.order();
      const { status, sealed } = lifecycle(random);
      if (caseNumbers.length < 10_000 && random() < 0.05) {
        caseNumbers.push(data.caseNumber);
        const { lastName, firstName, dateOfBirth } = data.restrainedPerson;
        persons.push({ last: lastName, first: firstName, dateOfBirth: dateOfBirth! });
      }
      return { order: orderRow(randomUUID(), data, status, sealed, 0n, new Date().toISOString()), data };
    });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await insertOrders(client, names, entries);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const written = done + entries.length;
    if (written % 100_000 === 0 || written === ORDERS) {
      console.error(`loaded ${written} orders in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  return { caseNumbers, persons };
}

/** What a kept schema holds, to draw terms from as `load` would have. */
async function loaded(pool: Pool): Promise<Samples> {
  const sample = await pool.query(
    `SELECT case_number, restrained_last_name, restrained_first_name, restrained_date_of_birth::text
       FROM order_search_orders WHERE random() < 0.05 LIMIT 10000`,
  );
  return {
    caseNumbers: sample.rows.map((row) => row.case_number),
    persons: sample.rows.map((row) => ({ last: row.restrained_last_name, first: row.restrained_first_name, dateOfBirth: row.restrained_date_of_birth })),
  };
}

/** Cuts of real names, so every term matches something, as a clerk's terms do. */
function termKinds({ caseNumbers, persons }: Samples): { kind: string; searches: OrderSearchCriteria[] }[] {
  const lastNames = persons.map((person) => person.last);
  const long = lastNames.filter((name) => name.length >= 5);
  const byLast = (terms: string[]) => terms.map((lastName) => ({ lastName }));
  return [
    { kind: 'last name exact (`GARCIA`)', searches: byLast(lastNames.map((name) => name.toUpperCase())) },
    { kind: 'prefix (`GAR%`)', searches: byLast(lastNames.map((name) => `${name.slice(0, 3)}%`)) },
    { kind: 'suffix (`%EZ`)', searches: byLast(lastNames.map((name) => `%${name.slice(-2)}`)) },
    { kind: 'infix (`%ANDE%`)', searches: byLast(long.map((name) => `%${name.slice(1, 5)}%`)) },
    { kind: 'last and first name (`GARCIA`, `MARIA`)', searches: persons.map(({ last, first }) => ({ lastName: last, firstName: first })) },
    { kind: 'prefix and date of birth (`GAR%`, 1980-04-02)', searches: persons.map(({ last, dateOfBirth }) => ({ lastName: `${last.slice(0, 3)}%`, dateOfBirth })) },
    { kind: 'case number exact', searches: caseNumbers.map((caseNumber) => ({ caseNumber })) },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  await withThrowAwaySchema('bench_search', 2, async (pool, { schema, source }) => {
    const loadStarted = Date.now();
    let samples: Samples;
    if (REUSE) {
      samples = await loaded(pool);
    } else {
      await ensureRegistrySchema(pool);
      const { generation } = await createGeneration(pool, orderSearchProjection);
      await swapLive(pool, orderSearchProjection, generation);
      samples = await load(pool, generation);
      // VACUUM sets the visibility map, which the index-only scans of the persons indexes rely on.
      for (const table of orderSearchProjection.tables) await pool.query(`VACUUM ANALYZE ${tableNames(orderSearchProjection, generation).table(table)}`);
    }
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const random = seededRandom(11);
    const viewer = { includeSealed: false };

    const loadedHow = REUSE ? `schema ${schema} reused` : `${ORDERS} orders loaded in ${loadSeconds.toFixed(0)} s`;
    console.log(`PostgreSQL: ${source}; ${loadedHow}; ${QUERIES} queries a kind, page 1${KEEP ? `; schema ${schema} kept` : ''}`);
    console.log('| term | p50 ms | p99 ms | max ms | mean total | counted exactly |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const { kind, searches } of termKinds(samples)) {
      // Warm the cache the way a running registry's is; a cold first query measures the disk.
      for (const criteria of searches.slice(0, 5)) await searchOrders(pool, criteria, 1, viewer);
      const times: number[] = [];
      let matches = 0;
      let exact = 0;
      for (let i = 0; i < QUERIES; i++) {
        const criteria = searches[Math.floor(random() * searches.length)];
        const started = process.hrtime.bigint();
        const result = await searchOrders(pool, criteria, 1, viewer);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        matches += result.totalCount;
        if (result.totalCountIsExact) exact++;
      }
      times.sort((a, b) => a - b);
      console.log(
        `| ${kind} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} | ${times[times.length - 1].toFixed(1)} | ${Math.round(matches / QUERIES)} | ${Math.round((100 * exact) / QUERIES)}% |`,
      );
    }
  }, { keep: KEEP, reuse: REUSE });
}

runBenchmark(main);
