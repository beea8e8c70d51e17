/**
 * CARPOS end to end: orders appended with submitToCarpos → dispatcher projection → relay →
 * BullMQ → worker → DOJ simulator (zero latency) → answer appended as an event. Reports
 * transactions per second and the lag from the order event to its answer event (p50/p99), beside
 * a reference run in the same process: the same number of transactions posted straight to a
 * simulator with the same concurrency (the ratio survives a noisy machine).
 *
 *   npm run bench:carpos
 *   BENCH_ORDERS=5000 npm run bench:carpos
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppModule } from '../../src/app/app.module';
import { EVENT_STORE } from '../../src/app/infrastructure.module';
import { tcnFor, wireOrder } from '../../src/carpos/carpos-transaction';
import { HttpDojGateway } from '../../src/carpos/doj-gateway';
import { DojSimulator } from '../../src/carpos/doj-simulator/doj-simulator';
import { CommandHandler } from '../../src/command-handling/command-handler';
import { loadConfig } from '../../src/config/config';
import { OrderGenerator } from '../../src/demo/order-generator';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { organisationDecider, organisationStream } from '../../src/identity/organisation.decider';
import { orderDecider, orderStream } from '../../src/orders/order.decider';
import { runBenchmark, withThrowAwaySchema } from '../support/throw-away-schema';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000);
/** Second run: orders arriving at this steady rate for BENCH_PACED_SECONDS, for the lag a clerk sees when the queue is not backed up. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 20);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const COURT = { county: 'Alameda', ori: 'CA010015J' };
const ACTOR = { userId: 'bench-clerk', organisation: COURT.ori, roles: ['QUERY_UPDATE'] };

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** The reference: DOJ round trips alone, same concurrency, same kind of transaction. */
async function rawRoundTrips(generator: OrderGenerator): Promise<number> {
  const simulator = new DojSimulator();
  const gateway = new HttpDojGateway(`http://127.0.0.1:${await simulator.listen(0)}`, 10_000);
  const orders = Array.from({ length: ORDERS }, () => generator.order());
  const started = performance.now();
  await inParallel(orders, CONCURRENCY, async (order) => {
    await gateway.send({ tcn: randomUUID(), type: 'ENTER', ori: COURT.ori, order: wireOrder({ ...order, court: COURT }) });
  });
  const seconds = (performance.now() - started) / 1000;
  await simulator.close();
  return ORDERS / seconds;
}

async function endToEnd(pool: Pool, schema: string, connectionString: string, generator: OrderGenerator, count: number, ratePerSecond?: number) {
  const simulator = new DojSimulator();
  const port = await simulator.listen(0);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: `${connectionString}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    PROCESSES: 'projector,carpos-worker',
    DOJ_GATEWAY_URL: `http://127.0.0.1:${port}`,
    CARPOS_QUEUE: schema,
    CARPOS_RELAY_MS: '20',
    CARPOS_CONCURRENCY: String(CONCURRENCY),
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  await app.init();
  const store = app.get<EventStore>(EVENT_STORE);
  try {
    const operator = { userId: 'bench', organisation: 'CA0000000', roles: ['SYSTEM_ADMINISTRATOR'] };
    const envelope = () => ({ commandId: randomUUID(), actor: { ...ACTOR, role: ACTOR.roles.join(',') }, occurredAt: new Date().toISOString() });
    await new CommandHandler(store, organisationDecider).handle(
      organisationStream(COURT.ori),
      { type: 'CreateOrganisation', ori: COURT.ori, now: new Date().toISOString(), actor: operator, name: 'Bench court', kind: 'SUPERIOR_COURT', county: COURT.county, carposEnabled: true },
      envelope(),
    );
    const orders = new CommandHandler(store, orderDecider);
    const ids = Array.from({ length: count }, () => randomUUID());
    const started = performance.now();
    await inParallel(ids, ratePerSecond ? 1 : CONCURRENCY, async (orderId) => {
      const index = ids.indexOf(orderId);
      if (ratePerSecond) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (index * 1000) / ratePerSecond - performance.now())));
      const data = { ...generator.order(), court: COURT };
      await orders.handle(orderStream(orderId), { type: 'AddOrder', orderId, now: new Date().toISOString(), actor: ACTOR, data, submitToCarpos: true }, envelope());
    });
    const answered = async (): Promise<number> => {
      try {
        return (await pool.query(`SELECT count(*)::int AS n FROM carpos_transactions_transactions WHERE status <> 'pending'`)).rows[0].n;
      } catch (error) {
        if ((error as { code?: string }).code === '42P01') return 0; // undefined table: the projector has not created its view yet
        throw error;
      }
    };
    const deadline = Date.now() + 30 * 60_000;
    while ((await answered()) < count) {
      if (Date.now() > deadline) throw new Error(`only ${await answered()} of ${count} answered after 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const added = new Map<string, RecordedEvent>();
    const answers: RecordedEvent[] = [];
    for await (const event of store.readAll({ filter: { eventTypes: ['OrderAdded', 'CarposTransactionAccepted', 'CarposTransactionRejected'] } })) {
      if (event.type === 'OrderAdded') added.set(tcnFor(event.id), event);
      else answers.push(event);
    }
    const lags = answers.map((a) => a.recordedAt.getTime() - added.get(a.data.tcn as string)!.recordedAt.getTime()).sort((x, y) => x - y);
    const first = Math.min(...[...added.values()].map((e) => e.recordedAt.getTime()));
    const last = Math.max(...answers.map((e) => e.recordedAt.getTime()));
    return { tps: count / ((last - first) / 1000), p50: percentile(lags, 50), p99: percentile(lags, 99), accepted: answers.filter((a) => a.type === 'CarposTransactionAccepted').length };
  } finally {
    await app.close();
    await simulator.close();
  }
}

runBenchmark(async () => {
  console.log(`CARPOS end to end, concurrency ${CONCURRENCY}: a burst of ${ORDERS} ENTER transactions, then ${PACED_RATE}/s for ${PACED_SECONDS} s`);
  const reference = await rawRoundTrips(new OrderGenerator(7));
  console.log(`reference: simulator round trips alone        ${reference.toFixed(0)} transactions/s`);
  await withThrowAwaySchema('bench_carpos', 20, async (pool, { schema, connectionString }) => {
    const burst = await endToEnd(pool, schema, connectionString, new OrderGenerator(7), ORDERS);
    console.log(`burst: event → DOJ → answer event              ${burst.tps.toFixed(0)} transactions/s = ${(burst.tps / reference).toFixed(2)}× the reference`);
    console.log(`       lag (mostly the backlog's wait): p50 ${burst.p50} ms, p99 ${burst.p99} ms; accepted ${burst.accepted} of ${ORDERS}`);
  });
  await withThrowAwaySchema('bench_carpos', 20, async (pool, { schema, connectionString }) => {
    const paced = await endToEnd(pool, schema, connectionString, new OrderGenerator(8), PACED_RATE * PACED_SECONDS, PACED_RATE);
    console.log(`paced at ${PACED_RATE}/s: lag order event → answer event p50 ${paced.p50} ms, p99 ${paced.p99} ms; accepted ${paced.accepted}`);
  });
});
