/**
 * Fills a registry with demo data a newcomer can log in to and look around in:
 *   npm run demo:seed                               3000 orders, seed 2026
 *   npm run demo:seed -- --orders 200 --seed 7      more orders, or other ones
 * Connects as `npm start` does (DATABASE_URL, EVENT_STORE, …). Running it again adds only what
 * is missing. The users' password comes from DEMO_PASSWORD, else it is generated and shown once.
 */
import { Presets, SingleBar } from 'cli-progress';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { connectPostgres } from '../postgres/postgres-connection';
import { openEventStore } from '../app/infrastructure.module';
import { DEFAULT_DEMO_SEED, seedDemo, SeedSummary } from './seed';

const USAGE = 'usage: demo:seed [--orders N] [--seed S]   (N, S: whole numbers; defaults 3000 and ' + DEFAULT_DEMO_SEED + ')';

async function main(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  if (!args) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (config.NODE_ENV === 'production') {
    console.error('refusing to seed: NODE_ENV is production. Demo users and made-up orders must never reach a production registry.');
    return 1;
  }
  const generated = !process.env.DEMO_PASSWORD;
  const password = process.env.DEMO_PASSWORD || randomBytes(12).toString('base64url');

  const postgres = await connectPostgres(config);
  const store = await openEventStore(config, postgres);
  try {
    console.log(`seeding ${args.orders} orders (seed ${args.seed}) into the ${config.EVENT_STORE} event store (PostgreSQL: ${postgres.source})`);
    const bar = new SingleBar(
      { format: 'orders |{bar}| {percentage}% | {value}/{total} | {speed} orders/s | ETA {eta_formatted}', etaBuffer: 200 },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(args.orders, 0, { speed: 0 });
    const summary = await seedDemo(store, {
      orders: args.orders,
      seed: args.seed,
      password,
      now: new Date(),
      registryOperatorOri: config.REGISTRY_OPERATOR_ORI,
      progress: (done) => bar.update(done, { speed: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) }),
    }).finally(() => bar.stop());
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${args.orders} orders in ${seconds.toFixed(1)} s: ${summary.orders.created} new, ${summary.orders.existing} already there`,
    );
    report(summary, { password, generated, port: config.PORT });
    return 0;
  } finally {
    await store.close();
    await postgres.close();
  }
}

function parseArguments(argv: string[]): { orders: number; seed: number } | undefined {
  let values: { orders?: string; seed?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { orders: { type: 'string' }, seed: { type: 'string' } }, strict: true }));
  } catch {
    return undefined;
  }
  const wholeNumber = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : /^\d{1,9}$/.test(value) ? Number(value) : undefined;
  const orders = wholeNumber(values.orders, 3000);
  const seed = wholeNumber(values.seed, DEFAULT_DEMO_SEED);
  return orders === undefined || seed === undefined ? undefined : { orders, seed };
}

function report(summary: SeedSummary, login: { password: string; generated: boolean; port: number }): void {
  console.table(
    summary.organisations.map((o) => ({
      ORI: o.ori,
      organisation: o.name,
      kind: o.kind,
      county: o.county ?? '',
      CARPOS: o.carposEnabled ? 'yes' : '',
      new: o.created ? 'yes' : '',
    })),
  );
  console.table(
    summary.users.map((u) => ({
      organisation: u.organisation,
      'user id': u.userId,
      roles: u.roles.join(', '),
      CLETS: u.cletsCertified ? 'yes' : '',
      new: u.created ? 'yes' : '',
    })),
  );

  const created = summary.users.filter((u) => u.created).length;
  const existing = summary.users.length - created;
  if (created > 0) {
    console.log(
      login.generated
        ? `the ${created} new users have the password ${login.password} (shown only this once; set DEMO_PASSWORD to choose one)`
        : `the ${created} new users have the password from DEMO_PASSWORD`,
    );
  }
  if (existing > 0) console.log(`the ${existing} users that were there already keep the password they were given when first seeded`);

  const clerk = summary.users.find((u) => u.roles.includes('QUERY_UPDATE_SEALED'))!.userId;
  console.log(
    `\nwith the registry running (npm start), log in as any of them; the terms and conditions must be accepted (acceptTerms: true):\n` +
      `  curl -s localhost:${login.port}/graphql -H 'content-type: application/json' \\\n` +
      `    -d '{"query":"mutation { login(userId: \\"${clerk}\\", password: \\"<password>\\", acceptTerms: true) { token expiresAt } }"}'\n` +
      `then send the token as 'Authorization: Bearer <token>', e.g. with {"query":"{ me { userId organisation roles } }"}`,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
