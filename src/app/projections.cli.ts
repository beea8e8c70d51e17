/**
 * Operations on the read models:
 *   npm run projections -- status              every projection's version, checkpoint, lag and state
 *   npm run projections -- rebuild <name>      rebuild beside the live one from position zero, then swap
 * Connects as `npm start` does (DATABASE_URL, EVENT_STORE, …).
 */
import { Presets, SingleBar } from 'cli-progress';
import { allProjections, projectionNamed } from '../../projections';
import { loadConfig } from '../config/config';
import { connectPostgres } from '../postgres/postgres-connection';
import { projectionStatus } from '../projection-engine/projection-status';
import { ensureRegistrySchema } from '../projection-engine/projection-registry';
import { buildAndSwap } from '../projection-engine/projector';
import { openEventStore } from './infrastructure.module';

async function main(argv: string[]): Promise<number> {
  const [command, name] = argv;
  if (command !== 'status' && !(command === 'rebuild' && name)) {
    console.error('usage: projections status | projections rebuild <name>');
    return 2;
  }
  const config = loadConfig();
  const postgres = await connectPostgres(config);
  const store = await openEventStore(config, postgres);
  try {
    await ensureRegistrySchema(postgres.pool);
    if (command === 'status') {
      const rows = await projectionStatus(postgres.pool, store, allProjections);
      console.table(
        rows.map((r) => ({
          projection: r.name,
          generation: r.generation,
          version: r.version,
          state: r.byStream ? `${r.state} by stream` : r.state,
          checkpoint: r.checkpoint.toString(),
          applied: r.eventsApplied.toString(),
          'lag events': r.lagEvents,
          'lag s': Number(r.lagSeconds.toFixed(1)),
          error: r.error ?? '',
        })),
      );
      return rows.some((r) => r.error) ? 1 : 0;
    }

    const projection = projectionNamed(name);
    // One rebuild of a projection at a time, across every machine.
    const lock = await postgres.pool.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`projection-rebuild:${name}`]);
    if (!lock.rows[0].ok) {
      console.error(`a rebuild of ${name} is already running`);
      return 1;
    }
    const total = await store.countEvents({ filter: { eventTypes: projection.eventTypes } });
    const bar = new SingleBar(
      { format: `${name} |{bar}| {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}`, etaBuffer: 50 },
      Presets.shades_classic,
    );
    const started = Date.now();
    let applied = 0;
    bar.start(total, 0, { speed: 0 });
    const built = await buildAndSwap(postgres.pool, store, projection, {
      onBatch: (_, batch) => {
        applied += batch.length;
        if (applied > total) bar.setTotal(applied); // events kept arriving during the rebuild
        bar.update(applied, { speed: Math.round(applied / Math.max((Date.now() - started) / 1000, 0.001)) });
      },
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${name}: generation ${built?.generation} is live after ${applied} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(applied / Math.max(seconds, 0.001))} events/s); queries answered from the old generation until the swap`,
    );
    return 0;
  } finally {
    await store.close();
    await postgres.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
