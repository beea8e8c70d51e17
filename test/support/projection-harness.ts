import { randomUUID } from 'node:crypto';
import { CommandEnvelope, CommandHandler } from '../../src/command-handling/command-handler';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { catchUp } from '../../src/projection-engine/catch-up';
import type { Projection } from '../../src/projection-engine/projection';
import { createGeneration, ensureRegistrySchema, GenerationRow, liveGeneration, swapLive } from '../../src/projection-engine/projection-registry';
import type { OrderCommand } from '../../src/orders/order.commands';
import { orderDecider, orderStream } from '../../src/orders/order.decider';
import type { OrderEvent, OrderState } from '../../src/orders/order.events';
import { createTestDatabase, TestDatabase } from './postgres';

/**
 * Real PostgreSQL, real event store, real order decider: tests drive orders through commands,
 * call project(), and query the projections' views.
 */
export interface ProjectionHarness {
  db: TestDatabase;
  store: PostgresEventStore;
  orders: CommandHandler<OrderCommand, OrderEvent, OrderState>;
  /** Runs an order command as the command's actor. */
  order(command: OrderCommand, envelope?: Partial<CommandEnvelope>): ReturnType<CommandHandler<OrderCommand, OrderEvent, OrderState>['handle']>;
  /** Brings every projection's live generation up to every event committed so far. */
  project(): Promise<GenerationRow[]>;
  teardown(): Promise<void>;
}

export async function projectionHarness(...projections: Projection[]): Promise<ProjectionHarness> {
  const db = await createTestDatabase();
  await PostgresEventStore.ensureSchema(db.pool);
  await ensureRegistrySchema(db.pool);
  const store = new PostgresEventStore(db.pool);
  for (const projection of projections) {
    const { generation } = await createGeneration(db.pool, projection);
    await swapLive(db.pool, projection, generation);
  }
  const orders = new CommandHandler(store, orderDecider);
  return {
    db,
    store,
    orders,
    order: (command, envelope = {}) =>
      orders.handle(orderStream(command.orderId), command, {
        commandId: randomUUID(),
        actor: { userId: command.actor.userId, organisation: command.actor.organisation, role: command.actor.roles.join(',') },
        occurredAt: command.now,
        ...envelope,
      }),
    async project() {
      // The store shows an event once every older writing transaction in the cluster has
      // ended (docs/decisions.md); wait for that, so a test's own last appends are included.
      const { rows: newest } = await db.pool.query('SELECT coalesce(max(position), 0) AS last FROM es_events');
      while ((await store.headPosition()) < BigInt(newest[0].last)) await new Promise((resolve) => setTimeout(resolve, 5));
      const rows: GenerationRow[] = [];
      for (const projection of projections) {
        const live = await liveGeneration(db.pool, projection.name);
        rows.push(await catchUp(db.pool, store, projection, live!.generation));
      }
      return rows;
    },
    async teardown() {
      await store.close();
      await db.drop();
    },
  };
}
