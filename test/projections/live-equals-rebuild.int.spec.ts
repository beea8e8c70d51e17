import { randomUUID } from 'node:crypto';
import { allProjections } from '../../projections';
import { OrderGenerator } from '../../src/demo/order-generator';
import { orderLifecycle } from '../../src/demo/order-lifecycle';
import { viewName } from '../../src/projection-engine/projection';
import { waitForPosition } from '../../src/projection-engine/projection-status';
import { Projector, buildAndSwap } from '../../src/projection-engine/projector';
import { listGenerations } from '../../src/projection-engine/projection-registry';
import { projectionHarness, ProjectionHarness } from '../support/projection-harness';

/** Every row of every view of a projection, in a stable order, as JSON text. */
async function snapshot(h: ProjectionHarness): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const projection of allProjections) {
    for (const table of projection.tables) {
      const view = viewName(projection, table);
      const { rows } = await h.db.pool.query(`SELECT to_jsonb(v)::text AS row FROM ${view} v`);
      tables[view] = rows.map((r) => r.row).sort();
    }
  }
  return tables;
}

describe('read models built live equal the same read models rebuilt from zero', () => {
  let h: ProjectionHarness;
  beforeAll(async () => {
    h = await projectionHarness(...allProjections);
  });
  afterAll(() => h.teardown());

  it('holds for every projection over a few hundred realistic orders', async () => {
    const projector = new Projector(h.db.pool, h.store, allProjections, { flushMs: 5, standbyPollMs: 50 });
    await projector.start();
    const generator = new OrderGenerator(99);
    let position = 0n;
    try {
      // Commands run while the projector follows live, in small batches as real traffic does.
      for (let i = 0; i < 150; i++) {
        for (const command of orderLifecycle(generator, randomUUID(), new Date('2026-03-02T08:00:00Z'))) {
          position = (await h.order(command)).position || position;
        }
      }
      expect(await waitForPosition(h.db.pool, h.store, allProjections, position, { timeoutMs: 30_000 })).toBe(true);
    } finally {
      await projector.stop();
    }
    const live = await snapshot(h);
    expect(Object.values(live).every((rows) => rows.length > 0)).toBe(true);

    for (const projection of allProjections) {
      await buildAndSwap(h.db.pool, h.store, projection, { batchSize: 97 });
    }
    expect((await listGenerations(h.db.pool)).filter((g) => g.state === 'live').map((g) => g.generation)).toEqual(
      allProjections.map(() => 2),
    );
    expect(await snapshot(h)).toEqual(live);
  }, 120_000);
});
