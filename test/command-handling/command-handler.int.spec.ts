import { randomUUID } from 'node:crypto';
import { CommandEnvelope, CommandHandler } from '../../src/command-handling/command-handler';
import { Decider } from '../../src/decider/decider';
import { EventStore } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { ConcurrencyConflictError, ValidationError } from '../../src/shared/domain-error';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { newEvent } from '../event-store/event-store.conformance';

// A tally that stays within 0..10: small enough to see every pipeline rule at work.
type TallyCommand = { type: 'Add'; amount: number } | { type: 'Touch' };
type TallyEvent = { type: 'Added'; data: { amount: number } };
const tally: Decider<TallyCommand, TallyEvent, { total: number }> = {
  initialState: () => ({ total: 0 }),
  decide(command, state) {
    if (command.type === 'Touch') return [];
    if (state.total + command.amount > 10) throw ValidationError.single('amount', 'max_total', 'total may not exceed 10');
    if (state.total + command.amount < 0) throw ValidationError.single('amount', 'min_total', 'total may not fall below 0');
    return [{ type: 'Added', data: { amount: command.amount } }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
};

const envelope = (overrides: Partial<CommandEnvelope> = {}): CommandEnvelope => ({
  commandId: randomUUID(),
  actor: { userId: 'clerk-7', organisation: 'CA0190000', role: 'QUERY_UPDATE' },
  occurredAt: '2026-11-22T09:30:00.000Z',
  ...overrides,
});

describe('command pipeline (read → fold → decide → append)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let handler: CommandHandler<TallyCommand, TallyEvent, { total: number }>;
  const stream = () => `tally-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase(30);
    await PostgresEventStore.ensureSchema(db.pool);
    store = new PostgresEventStore(db.pool);
    handler = new CommandHandler(store, tally, { conflictRetries: 20 });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('appends the decided events with the full metadata of the command', async () => {
    const s = stream();
    const result = await handler.handle(s, { type: 'Add', amount: 2 }, envelope({ commandId: 'cmd-meta', correlationId: 'corr-1' }));
    expect(result).toMatchObject({ state: { total: 2 }, revision: 0n, replayed: false });
    const [event] = await store.readStream(s);
    expect(event.position).toBe(result.position);
    expect(event.metadata).toEqual({
      actorUserId: 'clerk-7',
      actorOrganisation: 'CA0190000',
      actorRole: 'QUERY_UPDATE',
      commandId: 'cmd-meta',
      correlationId: 'corr-1',
      causationId: 'cmd-meta',
      occurredAt: '2026-11-22T09:30:00.000Z',
      schemaVersion: 1,
    });
  });

  it('handles a re-sent command once and answers with the first result', async () => {
    const s = stream();
    const command = envelope();
    const first = await handler.handle(s, { type: 'Add', amount: 3 }, command);
    await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
    const again = await handler.handle(s, { type: 'Add', amount: 3 }, command);
    expect(again).toMatchObject({ replayed: true, position: first.position });
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(await store.readStream(s)).toHaveLength(2);
  });

  it('re-decides a command whose stream moved on, so every rule still holds under contention', async () => {
    const s = stream();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => handler.handle(s, { type: 'Add', amount: 1 }, envelope())),
    );
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    expect(rejected.map((o) => (o.reason as ValidationError).rule)).toEqual(['max_total', 'max_total']);
    expect(handler.fold(await handler.load(s)).total).toBe(10);
  });

  it('refuses a stale client revision with a conflict and appends nothing', async () => {
    const s = stream();
    await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
    await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
    const error = await handler.handle(s, { type: 'Add', amount: 1 }, envelope({ expectedRevision: 0n })).catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect(error.message).toMatch(/revision 0, it is now at 1/);
    expect(await store.readStream(s)).toHaveLength(2);
  });

  it('two clerks saving the same revision at once: one wins, the other gets a conflict', async () => {
    const s = stream();
    await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
    const outcomes = await Promise.allSettled([
      handler.handle(s, { type: 'Add', amount: 2 }, envelope({ expectedRevision: 0n })),
      handler.handle(s, { type: 'Add', amount: 5 }, envelope({ expectedRevision: 0n })),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const loser = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(loser.reason).toBeInstanceOf(ConcurrencyConflictError);
    expect(await store.readStream(s)).toHaveLength(2);
  });

  it('appends nothing when the decider rejects the command or decides nothing', async () => {
    const s = stream();
    await expect(handler.handle(s, { type: 'Add', amount: 11 }, envelope())).rejects.toMatchObject({ field: 'amount', rule: 'max_total' });
    const touched = await handler.handle(s, { type: 'Touch' }, envelope());
    expect(touched).toMatchObject({ events: [], revision: -1n, position: 0n });
    expect(await handler.load(s)).toEqual([]);
  });

  it('gives up with a conflict after the configured number of re-decisions', async () => {
    // Another writer always gets in first: real appends on the real store, never a stub.
    const contended: EventStore = Object.create(store);
    contended.append = async (s, events, expected) => {
      await store.append(s, [newEvent('Added', { amount: 0 })], 'any');
      return store.append(s, events, expected);
    };
    const impatient = new CommandHandler(contended, tally, { conflictRetries: 2, cacheSize: 0 });
    const s = stream();
    await expect(impatient.handle(s, { type: 'Add', amount: 1 }, envelope())).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ amount: 0 }, { amount: 0 }, { amount: 0 }]);
  });

  it('upcasts stored events of an older schema version before folding', async () => {
    const s = stream();
    // Version 1 of Added called the field `n`.
    const old = newEvent('Added', { n: 4 });
    await store.append(s, [old], 'no_stream');
    const upcasting = new CommandHandler(store, tally, {
      upcasters: { Added: [(data) => ({ amount: data.n })] },
    });
    const result = await upcasting.handle(s, { type: 'Add', amount: 1 }, envelope());
    expect(result.state.total).toBe(5);
    const [, added] = await store.readStream(s);
    expect(added.metadata.schemaVersion).toBe(2);
  });

  describe('with the folded-stream cache and a second writer (another api replica)', () => {
    let replica: CommandHandler<TallyCommand, TallyEvent, { total: number }>;
    beforeEach(() => {
      replica = new CommandHandler(store, tally);
    });

    it('never decides on a stale state: a rule broken only by the other writer is still caught', async () => {
      const s = stream();
      await handler.handle(s, { type: 'Add', amount: 5 }, envelope());
      await replica.handle(s, { type: 'Add', amount: 5 }, envelope());
      await expect(handler.handle(s, { type: 'Add', amount: 1 }, envelope())).rejects.toMatchObject({ rule: 'max_total' });
      expect(handler.fold(await handler.load(s)).total).toBe(10);
    });

    it('does not reject on a stale state what the current state allows', async () => {
      const s = stream();
      await handler.handle(s, { type: 'Add', amount: 10 }, envelope());
      await replica.handle(s, { type: 'Add', amount: -5 }, envelope());
      const result = await handler.handle(s, { type: 'Add', amount: 3 }, envelope());
      expect(result.state.total).toBe(8);
    });

    it('accepts a client revision the cache has not seen yet', async () => {
      const s = stream();
      await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
      await replica.handle(s, { type: 'Add', amount: 1 }, envelope());
      const result = await handler.handle(s, { type: 'Add', amount: 1 }, envelope({ expectedRevision: 1n }));
      expect(result).toMatchObject({ revision: 2n, state: { total: 3 } });
    });

    it('current state: after the first read only the newer events are read, also those another writer appended', async () => {
      const s = stream();
      for (let i = 0; i < 5; i++) await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
      await replica.handle(s, { type: 'Add', amount: 2 }, envelope());
      const reads: (bigint | undefined)[] = [];
      const readStream = store.readStream.bind(store);
      const spy = jest.spyOn(store, 'readStream').mockImplementation((name, options) => {
        reads.push(options?.fromRevision);
        return readStream(name, options);
      });
      try {
        expect(await handler.current(s)).toEqual({ state: { total: 7 }, revision: 5n });
        expect(await handler.current(s)).toEqual({ state: { total: 7 }, revision: 5n });
        expect(await replica.current(s)).toEqual({ state: { total: 7 }, revision: 5n });
      } finally {
        spy.mockRestore();
      }
      // handler knew revision 4 from its own appends, the replica 5 from its one.
      expect(reads).toEqual([5n, 6n, 6n]);
      expect(await new CommandHandler(store, tally).current(s)).toEqual({ state: { total: 7 }, revision: 5n });
    });

    it('recognises a command the other writer already handled', async () => {
      const s = stream();
      await handler.handle(s, { type: 'Add', amount: 1 }, envelope());
      const command = envelope();
      const first = await replica.handle(s, { type: 'Add', amount: 2 }, command);
      const again = await handler.handle(s, { type: 'Add', amount: 2 }, command);
      expect(again).toMatchObject({ replayed: true, position: first.position });
      expect(await store.readStream(s)).toHaveLength(2);
    });
  });
});
