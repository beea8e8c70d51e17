import { randomUUID } from 'node:crypto';
import { carposTransactionsProjection } from '../../projections/carpos-transactions/carpos-transactions.projection';
import { orderTransactions, sendableTransactions } from '../../projections/carpos-transactions/carpos-transactions.query';
import { tcnFor } from '../../src/carpos/carpos-transaction';
import { CommandHandler } from '../../src/command-handling/command-handler';
import { organisationDecider, organisationStream } from '../../src/identity/organisation.decider';
import { actors, command, COURT_ORI, fullOrderData, NOW, OTHER_COURT_ORI } from '../../src/orders/order.fixtures.spec';
import { viewName } from '../../src/projection-engine/projection';
import { buildAndSwap } from '../../src/projection-engine/projector';
import { ProjectionHarness, projectionHarness } from '../support/projection-harness';

/**
 * The CARPOS dispatcher's read model: which events become transactions, DOJ's answers settling
 * them, a rejected ENTER voiding the rest, and the same rows whether events arrive one at a time
 * or thousands to a batch (a rebuild).
 */

const operator = { userId: 'sysadmin', organisation: 'CA0000000', roles: ['SYSTEM_ADMINISTRATOR'] };
const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

let h: ProjectionHarness;
beforeAll(async () => {
  h = await projectionHarness(carposTransactionsProjection);
  const organisations = new CommandHandler(h.store, organisationDecider);
  for (const [ori, carposEnabled] of [[COURT_ORI, true], [OTHER_COURT_ORI, false]] as const) {
    await organisations.handle(
      organisationStream(ori),
      { type: 'CreateOrganisation', ori, now: NOW, actor: operator, name: `Court ${ori}`, kind: 'SUPERIOR_COURT', county: 'Fresno', carposEnabled },
      { commandId: randomUUID(), actor: { ...operator, role: 'SYSTEM_ADMINISTRATOR' }, occurredAt: NOW },
    );
  }
});
afterAll(() => h.teardown());

const added = async (caseNumber: string, submitToCarpos = true, court = COURT_ORI) => {
  const orderId = randomUUID();
  const result = await h.order(
    command('AddOrder', { orderId, data: { ...fullOrderData(), caseNumber, court: { county: 'Fresno', ori: court } }, submitToCarpos, actor: { ...actors.clerk, organisation: court } }),
  );
  return { orderId, enterTcn: tcnFor(result.events[0].id) };
};
const answer = (orderId: string, tcn: string, transactionType: 'ENTER' | 'MODIFY' | 'SERVICE' | 'CANCEL', accepted: boolean, minute: number) =>
  h.order(
    command('RecordCarposAnswer', {
      orderId,
      now: at(minute),
      actor: actors.worker,
      answer: accepted
        ? { accepted: true, tcn, transactionType, fcn: '0190000000001' }
        : { accepted: false, tcn, transactionType, code: 'REJECT ON FILE', message: 'already on file', inputEcho: 'x'.repeat(100) },
    }),
  );

describe('the CARPOS dispatcher read model', () => {
  let accepted: { orderId: string; enterTcn: string };
  let rejected: { orderId: string; enterTcn: string };

  beforeAll(async () => {
    accepted = await added('CASE-ACCEPTED');
    await h.order(command('ModifyOrder', { orderId: accepted.orderId, now: at(1), patch: { restrainedPerson: { weight: 200 } } }));
    await h.order(command('ModifyOrder', { orderId: accepted.orderId, now: at(2), patch: { judge: 'Hon. Not For DOJ' } }));
    await answer(accepted.orderId, accepted.enterTcn, 'ENTER', true, 3);
    rejected = await added('CASE-REJECTED');
    await h.order(command('ServeOrder', { orderId: rejected.orderId, now: at(4), servedAt: at(4), method: 'PERSONAL', servedBy: 'Deputy', agency: 'CA0190000' }));
    await answer(rejected.orderId, rejected.enterTcn, 'ENTER', false, 5);
    await h.order(command('CancelOrder', { orderId: rejected.orderId, now: at(6), reason: 'SUPERSEDED' }));
    await added('CASE-NOT-SUBMITTED', false);
    await added('CASE-NO-CARPOS-COURT', true, OTHER_COURT_ORI);
    await h.project();
  });

  it('records an ENTER, a MODIFY for DOJ fields only, and the answer that settles the ENTER', async () => {
    expect((await orderTransactions(h.db.pool, accepted.orderId)).map((t) => [t.type, t.status, t.fcn])).toEqual([
      ['ENTER', 'accepted', '0190000000001'],
      ['MODIFY', 'pending', null],
    ]);
  });

  it('a rejected ENTER voids the order’s other transactions, those before and after the rejection', async () => {
    const rows = await orderTransactions(h.db.pool, rejected.orderId);
    expect(rows.map((t) => [t.type, t.status, t.code])).toEqual([
      ['ENTER', 'rejected', 'REJECT ON FILE'],
      ['SERVICE', 'void', null],
      ['CANCEL', 'void', null],
    ]);
    expect(rows[1].message).toMatch(/not sent/);
  });

  it('nothing for an order not submitted, or of a court without CARPOS', async () => {
    const { rows } = await h.db.pool.query(`SELECT count(*)::int AS n FROM ${viewName(carposTransactionsProjection, 'transactions')}`);
    expect(rows[0].n).toBe(5);
  });

  it('offers each order’s oldest pending transaction only', async () => {
    expect((await sendableTransactions(h.db.pool)).map((t) => [t.orderId, t.type])).toEqual([[accepted.orderId, 'MODIFY']]);
  });

  it.each([1, 3, 1000])('rebuilt in batches of %i, it has exactly the rows built live', async (batchSize) => {
    const dump = async () => {
      const rows: Record<string, string[]> = {};
      for (const table of carposTransactionsProjection.tables) {
        const { rows: found } = await h.db.pool.query(`SELECT to_jsonb(v)::text AS row FROM ${viewName(carposTransactionsProjection, table)} v`);
        rows[table] = found.map((r) => r.row).sort();
      }
      return rows;
    };
    const live = await dump();
    await buildAndSwap(h.db.pool, h.store, carposTransactionsProjection, { batchSize });
    expect(await dump()).toEqual(live);
  });
});
