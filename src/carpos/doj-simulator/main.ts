import { DojSimulator, FaultsSchema } from './doj-simulator';

/**
 * `npm run doj-simulator`: the DOJ stand-in as its own process. DOJ_SIMULATOR_PORT (default
 * 7070), DOJ_SIMULATOR_HOST (127.0.0.1) and DOJ_SIMULATOR_FAULTS (JSON, see docs/carpos.md);
 * faults can be changed while it runs with POST /control.
 */
async function main(): Promise<void> {
  const faults = FaultsSchema.parse(JSON.parse(process.env.DOJ_SIMULATOR_FAULTS || '{}'));
  const simulator = new DojSimulator(faults);
  const port = await simulator.listen(Number(process.env.DOJ_SIMULATOR_PORT ?? 7070), process.env.DOJ_SIMULATOR_HOST ?? '127.0.0.1');
  console.log(`DOJ simulator listening on port ${port}`);
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
