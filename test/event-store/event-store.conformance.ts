import { randomUUID } from 'node:crypto';
import {
  EventStore,
  NewEvent,
  RecordedEvent,
  StreamNotFoundError,
  Subscription,
  WrongExpectedRevisionError,
} from '../../src/event-store/event-store.port';

export interface EventStoreUnderTest {
  store: EventStore;
  teardown(): Promise<void>;
}

const metadata = (commandId = randomUUID()) => ({
  actorUserId: 'clerk-1',
  actorOrganisation: 'CA0190000',
  actorRole: 'QUERY_UPDATE',
  commandId,
  correlationId: commandId,
  causationId: commandId,
  occurredAt: '2026-11-22T10:00:00.000Z',
  schemaVersion: 1,
});

export function newEvent(type = 'Tested', data: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata() };
}

/** Takes exactly `count` events from a subscription or fails after `timeoutMs`. */
export async function take(subscription: Subscription, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  if (count === 0) return received;
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 0));
      }),
    ]).finally(() => clearTimeout(timer));
    if (next === 'timeout') throw new Error(`subscription delivered ${received.length} of ${count} events in ${timeoutMs} ms`);
    if (next.done) break;
    received.push(next.value);
  }
  return received;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** One suite, every adapter (DESIGN.md §2). Streams carry a per-run prefix so a shared store works. */
export function describeEventStoreConformance(adapter: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`event store conformance: ${adapter}`, () => {
    let sut: EventStoreUnderTest;
    let store: EventStore;
    let prefix: string;
    const streamName = (name: string = randomUUID()) => `${prefix}-${name}`;

    beforeAll(async () => {
      sut = await open();
      store = sut.store;
    });
    afterAll(async () => sut.teardown());
    beforeEach(() => {
      prefix = `conf${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    });

    describe('expected revision', () => {
      it('creates a stream with no_stream and numbers its events from 0', async () => {
        const stream = streamName();
        const result = await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        expect(result.nextRevision).toBe(1n);
        expect(result.position).toBeGreaterThan(0n);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n]);
        expect(events[1].position).toBe(result.position);
      });

      it('refuses no_stream on an existing stream, reporting the actual revision', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent()], 'no_stream');
        const error = await store.append(stream, [newEvent()], 'no_stream').catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream, expected: 'no_stream', actual: 0n });
      });

      it('appends at the exact revision and refuses a stale one with expected and actual', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        expect((await store.append(stream, [newEvent()], 1n)).nextRevision).toBe(2n);
        const error = await store.append(stream, [newEvent()], 1n).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 1n, actual: 2n });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('refuses an exact revision on a stream that does not exist', async () => {
        const error = await store.append(streamName(), [newEvent()], 0n).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 0n, actual: 'no_stream' });
      });

      it('exists: refuses a missing stream and appends to an existing one', async () => {
        const stream = streamName();
        const error = await store.append(stream, [newEvent()], 'exists').catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 'exists', actual: 'no_stream' });
        await store.append(stream, [newEvent()], 'no_stream');
        expect((await store.append(stream, [newEvent()], 'exists')).nextRevision).toBe(1n);
      });

      it('any: appends whether or not the stream exists', async () => {
        const stream = streamName();
        expect((await store.append(stream, [newEvent()], 'any')).nextRevision).toBe(0n);
        expect((await store.append(stream, [newEvent(), newEvent()], 'any')).nextRevision).toBe(2n);
      });

      it('lets exactly one of many concurrent writers at the same revision win', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent()], 'no_stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.append(stream, [newEvent()], 0n)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes.filter((o) => o.status === 'rejected')) {
          expect((o as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotency', () => {
      it('re-sending the same event ids appends nothing and returns the first result', async () => {
        const stream = streamName();
        const events = [newEvent(), newEvent()];
        const first = await store.append(stream, events, 'no_stream');
        const again = await store.append(stream, events, 'no_stream');
        expect(first.replayed).toBe(false);
        expect(again).toEqual({ ...first, replayed: true });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('recognises a retry even after the stream has moved on', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent()], 'no_stream');
        const command = [newEvent()];
        const first = await store.append(stream, command, 0n);
        await store.append(stream, [newEvent()], 1n);
        expect(await store.append(stream, command, 0n)).toEqual({ ...first, replayed: true });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('concurrent retries of one command append it once', async () => {
        const stream = streamName();
        const command = [newEvent()];
        const results = await Promise.all(Array.from({ length: 6 }, () => store.append(stream, command, 'any')));
        expect(new Set(results.map((r) => r.position.toString())).size).toBe(1);
        expect(results.filter((r) => !r.replayed)).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('readStream', () => {
      it('keeps type, data and metadata exactly as appended', async () => {
        const stream = streamName();
        const event = newEvent('OrderServed', { servedBy: 'Deputy Smith', nested: { list: [1, 'two', null] } });
        await store.append(stream, [event], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ id: event.id, stream, type: 'OrderServed', data: event.data, metadata: event.metadata });
        expect(read.recordedAt).toBeInstanceOf(Date);
      });

      it('reads forwards and backwards within inclusive revision bounds and a count', async () => {
        const stream = streamName();
        await store.append(stream, Array.from({ length: 6 }, () => newEvent()), 'no_stream');
        const revisions = (events: RecordedEvent[]) => events.map((e) => Number(e.revision));
        expect(revisions(await store.readStream(stream, { fromRevision: 2n, toRevision: 4n }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1n, maxCount: 2 }))).toEqual([1, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([5, 4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3n, maxCount: 2 }))).toEqual([3, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 4n, toRevision: 3n }))).toEqual([4, 3]);
      });

      it('reads only what was recorded up to an instant (time travel)', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent()], 'no_stream');
        const [first] = await store.readStream(stream);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await store.append(stream, [newEvent()], 0n);
        const upTo = await store.readStream(stream, { recordedUpTo: first.recordedAt });
        expect(upTo.map((e) => e.id)).toEqual([first.id]);
      });

      it('throws StreamNotFoundError for a stream without events', async () => {
        const stream = streamName();
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
      });
    });

    describe('readAll', () => {
      it('returns events of every stream in growing position order, filtered by stream prefix', async () => {
        const a = streamName('a');
        const b = streamName('b');
        await store.append(a, [newEvent()], 'no_stream');
        await store.append(b, [newEvent(), newEvent()], 'no_stream');
        await store.append(a, [newEvent()], 0n);
        await store.append(`other${prefix}`, [newEvent()], 'no_stream');
        const all = await collect(store.readAll({ filter: { streamPrefixes: [prefix] } }));
        expect(all.map((e) => e.stream)).toEqual([a, b, b, a]);
        const positions = all.map((e) => e.position);
        expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
        expect(new Set(positions).size).toBe(4);
      });

      it('filters by event type, and by type and prefix together', async () => {
        const stream = streamName();
        const type = `Typed${prefix}`;
        await store.append(stream, [newEvent(type), newEvent('Other'), newEvent(type)], 'no_stream');
        await store.append(`elsewhere${prefix}`, [newEvent(type)], 'no_stream');
        expect(await collect(store.readAll({ filter: { eventTypes: [type] } }))).toHaveLength(3);
        const both = await collect(store.readAll({ filter: { eventTypes: [type], streamPrefixes: [prefix] } }));
        expect(both.map((e) => [e.stream, e.type])).toEqual([[stream, type], [stream, type]]);
      });

      it('starts after an exclusive position, reads backwards and honours maxCount', async () => {
        const stream = streamName();
        await store.append(stream, Array.from({ length: 5 }, () => newEvent()), 'no_stream');
        const filter = { streamPrefixes: [prefix] };
        const all = await collect(store.readAll({ filter }));
        const after = await collect(store.readAll({ filter, fromPosition: all[1].position, maxCount: 2 }));
        expect(after.map((e) => e.revision)).toEqual([2n, 3n]);
        const backwards = await collect(store.readAll({ filter, direction: 'backwards', maxCount: 3 }));
        expect(backwards.map((e) => e.revision)).toEqual([4n, 3n, 2n]);
        const before = await collect(store.readAll({ filter, direction: 'backwards', fromPosition: all[2].position }));
        expect(before.map((e) => e.revision)).toEqual([1n, 0n]);
      });

      it('counts matching events after an exclusive position', async () => {
        const stream = streamName();
        const type = `Counted${prefix}`;
        await store.append(stream, [newEvent(type), newEvent('Other'), newEvent(type), newEvent(type)], 'no_stream');
        const filter = { streamPrefixes: [prefix], eventTypes: [type] };
        expect(await store.countEvents({ filter })).toBe(3);
        const [first] = await collect(store.readAll({ filter, maxCount: 1 }));
        expect(await store.countEvents({ filter, fromPosition: first.position })).toBe(2);
      });

      it('reports a head position at or beyond the last append', async () => {
        const { position } = await store.append(streamName(), [newEvent()], 'no_stream');
        expect(await store.headPosition()).toBeGreaterThanOrEqual(position);
      });
    });

    describe('readByStream (optional)', () => {
      const readByStream = (...args: Parameters<NonNullable<EventStore['readByStream']>>) => {
        if (!store.readByStream) throw new Error('unreachable: guarded below');
        return collect(store.readByStream(...args));
      };
      beforeAll(() => {
        // Optional in the port: rebuilds of such a store read in position order instead.
        if (!store.readByStream) console.warn(`event store conformance: ${adapter} does not offer readByStream; its tests pass vacuously`);
      });

      it('groups events up to a position by stream, each in revision order, filtered, and goes on after a stream and revision', async () => {
        if (!store.readByStream) return;
        const [a, b, c] = [streamName('a'), streamName('b'), streamName('c')];
        const type = `Grouped${prefix}`;
        await store.append(a, [newEvent(type)], 'no_stream');
        await store.append(b, [newEvent(type), newEvent('Other'), newEvent(type)], 'no_stream');
        await store.append(a, [newEvent(type), newEvent(type)], 0n);
        const { position: upTo } = await store.append(c, [newEvent(type)], 'no_stream');
        await store.append(a, [newEvent(type)], 2n); // after the position: left out
        const filter = { streamPrefixes: [prefix], eventTypes: [type] };
        const all = await readByStream({ toPosition: upTo, filter });
        const key = (e: RecordedEvent) => `${e.stream}@${e.revision}`;
        expect(all).toHaveLength(6);
        expect(new Set(all.map((e) => e.stream)).size).toBe(3);
        // Grouped: a stream, once left, does not come back; within a stream, revisions grow.
        const order = all.map((e) => e.stream).filter((s, i, list) => i === 0 || list[i - 1] !== s);
        expect(order).toHaveLength(3);
        expect(all.filter((e) => e.stream === a).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(all.filter((e) => e.stream === b).map((e) => e.revision)).toEqual([0n, 2n]);
        expect(all.every((e) => e.position <= upTo && e.type === type)).toBe(true);
        // A reader stopped after any event goes on with exactly the ones after it.
        for (let i = 0; i < all.length; i++) {
          const rest = await readByStream({ toPosition: upTo, filter, after: { stream: all[i].stream, revision: all[i].revision } });
          expect(rest.map(key)).toEqual(all.slice(i + 1).map(key));
        }
      });
    });

    describe('subscribe', () => {
      it('catches up on history, then delivers live appends', async () => {
        const stream = streamName();
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] } });
        try {
          expect((await take(subscription, 2)).map((e) => e.revision)).toEqual([0n, 1n]);
          await store.append(stream, [newEvent()], 1n);
          await store.append(streamName(), [newEvent()], 'no_stream');
          const live = await take(subscription, 2);
          expect(live[0]).toMatchObject({ stream, revision: 2n });
          expect(live[1].stream).not.toBe(stream);
        } finally {
          await subscription.close();
        }
      });

      it('resumes after a checkpoint without repeating or skipping', async () => {
        const stream = streamName();
        await store.append(stream, Array.from({ length: 4 }, () => newEvent()), 'no_stream');
        const first = store.subscribe({ filter: { streamPrefixes: [prefix] } });
        const seen = await take(first, 2);
        await first.close();
        const resumed = store.subscribe({ fromPosition: seen[1].position, filter: { streamPrefixes: [prefix] } });
        try {
          expect((await take(resumed, 2)).map((e) => e.revision)).toEqual([2n, 3n]);
        } finally {
          await resumed.close();
        }
      });

      it('applies the event type filter to live events', async () => {
        const type = `Live${prefix}`;
        const subscription = store.subscribe({ fromPosition: await store.headPosition(), filter: { eventTypes: [type] } });
        try {
          const stream = streamName();
          await store.append(stream, [newEvent('Ignored'), newEvent(type, { n: 1 })], 'no_stream');
          const [event] = await take(subscription, 1);
          expect(event).toMatchObject({ type, data: { n: 1 } });
        } finally {
          await subscription.close();
        }
      });

      it('ends iteration when closed', async () => {
        const subscription = store.subscribe({ fromPosition: await store.headPosition(), filter: { streamPrefixes: [prefix] } });
        const iteration = collect(subscription);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await subscription.close();
        await expect(iteration).resolves.toEqual([]);
      });
    });
  });
}
