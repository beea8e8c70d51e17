/**
 * Commands per second through the full pipeline (read stream → fold → decide → append) on the
 * PostgreSQL event store, beside raw `pg` single-row inserts of an event-sized JSONB row at
 * the same concurrency, in the same process, so the ratio survives a noisy shared machine.
 *
 *   npm run bench:append                       # 1, 8, 32 clients, 5 s a run, 2 rounds
 *   BENCH_SECONDS=10 BENCH_CLIENTS=8 npm run bench:append
 *
 * Uses DATABASE_URL (or the local server / embedded PostgreSQL, as `npm start` does) in a
 * throw-away schema.
 */
import { randomUUID } from 'node:crypto';
import { CommandEnvelope, CommandHandler } from '../../src/command-handling/command-handler';
import { OrderGenerator } from '../../src/demo/order-generator';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { OrderCommand } from '../../src/orders/order.commands';
import { orderDecider, orderStream } from '../../src/orders/order.decider';
import { runBenchmark, withThrowAwaySchema } from '../support/throw-away-schema';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const generator = new OrderGenerator(1);
const sampleOrder = generator.order();
const actor = { userId: 'bench-clerk', organisation: sampleOrder.court.ori, roles: ['QUERY_UPDATE'] };

interface Run {
  perSecond: number;
  /** This process's CPU time per operation, µs: what the client side costs beside PostgreSQL. */
  cpuMicros: number;
}

/** Runs `clients` loops of `work` for SECONDS: operations per second and client CPU per operation. */
async function throughput(clients: number, work: (client: number) => Promise<number>): Promise<Run> {
  const deadline = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const counts = await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let done = 0;
      while (Date.now() < deadline) done += await work(client);
      return done;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const operations = counts.reduce((a, b) => a + b, 0);
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: operations / seconds, cpuMicros: (user + system) / operations };
}

/** One order's life as a clerk works it: add, correct, lock, serve, unlock. Returns commands done. */
function orderLifecycle(handler: CommandHandler<OrderCommand, never, unknown>) {
  return async (): Promise<number> => {
    const orderId = randomUUID();
    const data = generator.order();
    const base = { orderId, actor, now: new Date().toISOString() };
    const envelope = (): CommandEnvelope => ({
      commandId: randomUUID(),
      actor: { userId: actor.userId, organisation: data.court.ori, role: 'QUERY_UPDATE' },
      occurredAt: base.now,
    });
    const commands: OrderCommand[] = [
      { ...base, actor: { ...actor, organisation: data.court.ori }, type: 'AddOrder', data, submitToCarpos: true },
      { ...base, type: 'ModifyOrder', patch: { judge: 'Hon. Bench Mark' } },
      { ...base, type: 'LockOrder' },
      { ...base, type: 'ServeOrder', servedAt: base.now, method: 'PERSONAL', servedBy: 'Deputy Bench', agency: 'CA0190000' },
      { ...base, type: 'UnlockOrder' },
    ];
    for (const command of commands) await handler.handle(orderStream(orderId), command, envelope());
    return commands.length;
  };
}

async function main(): Promise<void> {
  await withThrowAwaySchema('bench_append', Math.max(...CLIENTS), async (pool, { source }) => {
    await PostgresEventStore.ensureSchema(pool);
    await pool.query(`CREATE TABLE raw_events (
      position bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE, stream text NOT NULL, type text NOT NULL,
      data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
    const store = new PostgresEventStore(pool);
    const handler = new CommandHandler(store, orderDecider) as unknown as CommandHandler<OrderCommand, never, unknown>;
    const payload = JSON.stringify({ orderId: randomUUID(), data: sampleOrder, submitToCarpos: true, fromDraft: false });
    const metadata = JSON.stringify({ actorUserId: 'bench', commandId: randomUUID(), occurredAt: new Date().toISOString() });
    const rawInsert = async () => {
      await pool.query('INSERT INTO raw_events (id, stream, type, data, metadata) VALUES ($1, $2, $3, $4, $5)', [
        randomUUID(), `order-${randomUUID()}`, 'OrderAdded', payload, metadata,
      ]);
      return 1;
    };

    console.log(`PostgreSQL: ${source}; ${SECONDS} s a run, ${ROUNDS} rounds, event payload ${payload.length} bytes`);
    console.log('| clients | raw pg inserts/s | pipeline commands/s | ratio | client CPU µs/insert | client CPU µs/command |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    const mean = (runs: Run[], key: keyof Run) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
    for (const clients of CLIENTS) {
      const raw: Run[] = [];
      const pipeline: Run[] = [];
      // Alternate the two so a burst of machine noise hits both alike.
      for (let round = 0; round < ROUNDS; round++) {
        raw.push(await throughput(clients, rawInsert));
        pipeline.push(await throughput(clients, orderLifecycle(handler)));
      }
      const [rawRate, pipelineRate] = [mean(raw, 'perSecond'), mean(pipeline, 'perSecond')];
      console.log(
        `| ${clients} | ${rawRate.toFixed(0)} | ${pipelineRate.toFixed(0)} | ${(pipelineRate / rawRate).toFixed(2)} ` +
          `| ${mean(raw, 'cpuMicros').toFixed(0)} | ${mean(pipeline, 'cpuMicros').toFixed(0)} |`,
      );
    }
    await store.close();
  });
}

runBenchmark(main);
