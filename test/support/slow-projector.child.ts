// A projector process for the kill test: applies the tally projection slowly, in batches, so
// the parent can SIGKILL it with a batch transaction open.
import { Pool } from 'pg';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { runGeneration } from '../../src/projection-engine/generation-runner';
import { Projection } from '../../src/projection-engine/projection';
import { tally } from './tally-projection';

const slowTally: Projection = {
  ...tally,
  async handle(ctx, event) {
    await tally.handle(ctx, event);
    await new Promise((resolve) => setTimeout(resolve, 5));
  },
};

const pool = new Pool({ connectionString: process.env.CHILD_DATABASE_URL, application_name: 'slow-projector', max: 3 });
const store = new PostgresEventStore(pool);
runGeneration(pool, store, slowTally, Number(process.env.CHILD_GENERATION), { batchSize: 40 }).catch((error) => {
  console.error(error);
  process.exit(1);
});
