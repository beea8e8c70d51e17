import { randomUUID } from 'node:crypto';
import { allProjections } from '../../projections';
import { CommandHandler } from '../../src/command-handling/command-handler';
import { COURTS, OrderGenerator } from '../../src/demo/order-generator';
import { organisationDecider, organisationStream } from '../../src/identity/organisation.decider';
import { orderLifecycle } from '../../src/demo/order-lifecycle';
import { viewName } from '../../src/projection-engine/projection';
import { waitForPosition } from '../../src/projection-engine/projection-status';
import { Projector, buildAndSwap } from '../../src/projection-engine/projector';
import { listGenerations } from '../../src/projection-engine/projection-registry';
import { projectionHarness, ProjectionHarness } from '../support/projection-harness';
import { quickAttachDecider, quickAttachStream } from '../../src/quick-attach/quick-attach.decider';

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
    // The courts, every other one forwarding to CARPOS, so the CARPOS dispatcher has work too.
    const organisations = new CommandHandler(h.store, organisationDecider);
    const operator = { userId: 'sysadmin', organisation: 'CA0000000', roles: ['SYSTEM_ADMINISTRATOR'] };
    for (const [index, { county, ori }] of COURTS.entries()) {
      await organisations.handle(
        organisationStream(ori),
        { type: 'CreateOrganisation', ori, now: '2026-03-01T08:00:00Z', actor: operator, name: `Superior Court of ${county}`, kind: 'SUPERIOR_COURT', county, carposEnabled: index % 2 === 0 },
        { commandId: randomUUID(), actor: { userId: 'sysadmin', organisation: 'CA0000000', role: 'SYSTEM_ADMINISTRATOR' }, occurredAt: '2026-03-01T08:00:00Z' },
      );
    }
    try {
      // Commands run while the projector follows live, in small batches as real traffic does.
      for (let i = 0; i < 150; i++) {
        for (const command of orderLifecycle(generator, randomUUID(), new Date('2026-03-02T08:00:00Z'))) {
          position = (await h.order(command)).position || position;
        }
        if (i % 10 === 0) position = await quickAttach(h, i % 20 === 0);
      }
      expect(await waitForPosition(h.db.pool, h.store, allProjections, position, { timeoutMs: 30_000 })).toBe(true);
    } finally {
      await projector.stop();
    }
    const live = await snapshot(h);
    expect(Object.entries(live).filter(([, rows]) => rows.length === 0).map(([view]) => view)).toEqual([]);

    for (const projection of allProjections) {
      await buildAndSwap(h.db.pool, h.store, projection, { batchSize: 97 });
    }
    expect((await listGenerations(h.db.pool)).filter((g) => g.state === 'live').map((g) => g.generation)).toEqual(
      allProjections.map(() => 2),
    );
    expect(await snapshot(h)).toEqual(live);

    // The rebuilt generations go on live: what a rebuild leaves to createIndexes (search's person
    // rows, reports' counter keys) must take the live handlers' writes.
    const after = new Projector(h.db.pool, h.store, allProjections, { flushMs: 5, standbyPollMs: 50 });
    await after.start();
    try {
      for (const command of orderLifecycle(generator, randomUUID(), new Date('2026-03-09T08:00:00Z'))) {
        position = (await h.order(command)).position || position;
      }
      expect(await waitForPosition(h.db.pool, h.store, allProjections, position, { timeoutMs: 30_000 })).toBe(true);
      expect(allProjections.map((p) => after.failure(p.name)).filter(Boolean)).toEqual([]);
    } finally {
      await after.stop();
    }
  }, 120_000);
});

/** A quick attach, converted into an order or still pending (the quick attaches read model); its last position. */
async function quickAttach(h: ProjectionHarness, convert: boolean): Promise<bigint> {
  const handler = new CommandHandler(h.store, quickAttachDecider);
  const quickAttachId = randomUUID();
  const base = { quickAttachId, now: '2026-03-02T08:00:00Z', actor: { userId: 'clerk', organisation: 'CA010015J', roles: ['QUERY_UPDATE'] } };
  const envelope = () => ({ commandId: randomUUID(), actor: { userId: 'clerk', organisation: 'CA010015J', role: 'QUERY_UPDATE' }, occurredAt: base.now });
  const image = { sha256: quickAttachId.replace(/-/g, '').repeat(2), contentType: 'application/pdf' as const, sizeBytes: 1000 };
  const added = await handler.handle(quickAttachStream(quickAttachId), { ...base, type: 'AddQuickAttach', court: { county: 'Alameda', ori: 'CA010015J' }, image, caseNumber: 'FL-QA' }, envelope());
  if (!convert) return added.position;
  return (await handler.handle(quickAttachStream(quickAttachId), { ...base, type: 'ConvertQuickAttach', orderId: randomUUID(), into: 'DRAFT' }, envelope())).position;
}
