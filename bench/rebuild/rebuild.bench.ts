/**
 * Rebuild throughput: each projection rebuilt from position zero over at least a million
 * realistic order events, beside a raw sequential read of the same events through the event
 * store in the same run (the ratio is the figure that survives a noisy machine).
 *
 *   npm run bench:rebuild
 *   BENCH_EVENTS=200000 BENCH_PROJECTIONS=order_search,audit_trail npm run bench:rebuild
 *
 * Events are produced by the real order decider from generated lifecycles and bulk-loaded in
 * time order (an append per command would take the benchmark's whole budget just to set up).
 * Reads and rebuilds run with the settings the projector uses. BENCH_KEEP=1 keeps the schema
 * (named in the output); BENCH_SCHEMA=<that schema> measures again without loading, after a
 * change to a projection.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { allProjections } from '../../projections';
import { OrderGenerator } from '../../src/demo/order-generator';
import { orderLifecycle } from '../../src/demo/order-lifecycle';
import { eventIdFor } from '../../src/event-store/event-id';
import type { EventFilter } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { ensureRegistrySchema } from '../../src/projection-engine/projection-registry';
import { DEFAULT_BATCH_SIZE } from '../../src/projection-engine/generation-runner';
import { buildAndSwap } from '../../src/projection-engine/projector';
import { orderDecider, orderStream } from '../../src/orders/order.decider';
import { runBenchmark, withThrowAwaySchema } from '../support/throw-away-schema';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PROJECTIONS = (process.env.BENCH_PROJECTIONS ?? allProjections.map((p) => p.name).join(',')).split(',');
// Events per projection transaction; the store reads in its own default pages, as the projector does.
const BATCH = Number(process.env.BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
const KEEP = process.env.BENCH_KEEP === '1';
const REUSE = process.env.BENCH_SCHEMA;
const LOAD_BATCH = 20_000; // well under one transaction's 65,536 positions

/** Orders arrive at the statewide rate (DESIGN §11: about 300,000 a year): a million events are about a year of the log. */
const ORDER_INTERVAL_MS = (365 * 86_400_000) / 300_000;
const DAY_MS = 86_400_000;

interface Row {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  /** The command's time: the log is written in this order. */
  at: number;
}

/**
 * Writes the log a registry would have: orders arriving one after another, each order's later
 * steps (service, corrections, cancellation) days to months after its entry, so one order's
 * events lie far apart, between other orders' events. Events wait by day until no order still
 * to come can have an earlier one, then go out in time order.
 */
async function bulkLoad(pool: Pool): Promise<number> {
  const generator = new OrderGenerator(2026);
  const waiting = new Map<number, Row[]>();
  let batch: Row[] = [];
  let made = 0;
  let loaded = 0;
  const flush = async () => {
    // Positions as the store makes them: this transaction's id × 65536 + index.
    await pool.query(
      `INSERT INTO es_events (position, id, stream, revision, type, data, metadata)
       SELECT pg_current_xact_id()::text::bigint * 65536 + n - 1, id, stream, revision, type, data::jsonb, metadata::jsonb
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(id, stream, revision, type, data, metadata, n)`,
      [batch.map((r) => r.id), batch.map((r) => r.stream), batch.map((r) => r.revision), batch.map((r) => r.type), batch.map((r) => r.data), batch.map((r) => r.metadata)],
    );
    loaded += batch.length;
    batch = [];
  };
  const release = async (beforeDay: number) => {
    for (const day of [...waiting.keys()].filter((d) => d < beforeDay).sort((a, b) => a - b)) {
      for (const row of waiting.get(day)!.sort((a, b) => a.at - b.at)) {
        batch.push(row);
        if (batch.length >= LOAD_BATCH) await flush();
      }
      waiting.delete(day);
    }
  };
  let arrival = Date.parse('2016-01-04T08:00:00Z');
  let today = Math.floor(arrival / DAY_MS);
  while (made < EVENTS) {
    arrival += Math.round(generator.fraction() * 2 * ORDER_INTERVAL_MS);
    if (Math.floor(arrival / DAY_MS) > today) await release((today = Math.floor(arrival / DAY_MS)));
    const orderId = randomUUID();
    let state = orderDecider.initialState();
    let revision = 0;
    for (const command of orderLifecycle(generator, orderId, new Date(arrival))) {
      const commandId = randomUUID();
      const at = Date.parse(command.now);
      orderDecider.decide(command, state).forEach((event, index) => {
        state = orderDecider.evolve(state, event);
        const day = Math.floor(at / DAY_MS);
        if (!waiting.has(day)) waiting.set(day, []);
        waiting.get(day)!.push({
          id: eventIdFor(commandId, index),
          stream: orderStream(orderId),
          revision: revision++,
          type: event.type,
          data: JSON.stringify(event.data),
          metadata: JSON.stringify({
            actorUserId: command.actor.userId,
            actorOrganisation: command.actor.organisation,
            actorRole: command.actor.roles.join(','),
            commandId,
            correlationId: commandId,
            causationId: commandId,
            occurredAt: command.now,
            schemaVersion: 1,
          }),
          at,
        });
        made++;
      });
    }
  }
  await release(Infinity);
  if (batch.length > 0) await flush();
  return loaded;
}

async function main(): Promise<void> {
  await withThrowAwaySchema('bench_rebuild', 4, async (pool, { schema }) => {
    const store = new PostgresEventStore(pool);
    let started = Date.now();
    // A kept schema gets what the registry's schema gained since.
    await ensureRegistrySchema(pool);
    if (REUSE) {
      console.log(`schema ${schema} reused; batches of ${BATCH}`);
    } else {
      await PostgresEventStore.ensureSchema(pool);
      const loaded = await bulkLoad(pool);
      await pool.query('VACUUM ANALYZE es_events');
      console.log(`loaded ${loaded} order events in ${((Date.now() - started) / 1000).toFixed(0)} s; batches of ${BATCH}${KEEP ? `; schema ${schema} kept` : ''}`);
    }

    const rawRead = async (filter?: EventFilter) => {
      const began = Date.now();
      let read = 0;
      for await (const _ of store.readAll({ filter })) read++;
      return { read, seconds: (Date.now() - began) / 1000 };
    };
    // Each reference is read before and after what it is compared with, and the two averaged:
    // on a shared machine one raw read alone moved by a third between runs.
    const rate = (read: { read: number; seconds: number }) => read.read / read.seconds;
    const allBefore = await rawRead();
    const rows: { name: string; applied: number; seconds: number; own: number }[] = [];
    for (const projection of allProjections.filter((p) => PROJECTIONS.includes(p.name))) {
      // The same events as the projection reads (its types only), read raw before and after it.
      const ownBefore = await rawRead({ eventTypes: projection.eventTypes });
      started = Date.now();
      let applied = 0;
      await buildAndSwap(pool, store, projection, { batchSize: BATCH, onBatch: (_, batch) => (applied += batch.length) });
      const seconds = (Date.now() - started) / 1000;
      const ownAfter = await rawRead({ eventTypes: projection.eventTypes });
      rows.push({ name: projection.name, applied, seconds, own: (rate(ownBefore) + rate(ownAfter)) / 2 });
    }
    const allAfter = await rawRead();
    const rawRate = (rate(allBefore) + rate(allAfter)) / 2;

    console.log('| reader | events | seconds | events/s | share of raw read: all events | share of raw read: its events |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(
      `| raw sequential read (store.readAll), before / after | ${allBefore.read} | ${allBefore.seconds.toFixed(1)} / ${allAfter.seconds.toFixed(1)} | ${rawRate.toFixed(0)} | 100% | |`,
    );
    for (const row of rows) {
      const projectionRate = row.applied / row.seconds;
      const share = (reference: number) => `${((projectionRate / reference) * 100).toFixed(0)}%`;
      console.log(`| rebuild ${row.name} | ${row.applied} | ${row.seconds.toFixed(1)} | ${projectionRate.toFixed(0)} | ${share(rawRate)} | ${share(row.own)} |`);
    }
    await store.close();
  }, { keep: KEEP, reuse: REUSE });
}

runBenchmark(main);
