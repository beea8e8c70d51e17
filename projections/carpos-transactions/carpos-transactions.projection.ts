import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { tcnFor, transactionTypeFor } from '../../src/carpos/carpos-transaction';
import { recordedOrderEvent, RecordedOrderEvent } from '../../src/orders/order-history';
import type { OrderEventType } from '../../src/orders/order.events';
import type { PreparedBatch, PrepareContext, Projection, ProjectionContext } from '../../src/projection-engine/projection';
import { prepareAndWrite, rowsBefore, yielder } from '../../src/projection-engine/projection';
import { copyText, copyUpsert } from '../../src/postgres/copy-rows';

/**
 * The CARPOS dispatcher's memory and DOJ's answers (DESIGN §7): every transaction an order
 * event gives rise to, keyed by its TCN, with its status — pending until DOJ's answer event,
 * then accepted or rejected; void when the order's ENTER was rejected (there is no DOJ record
 * to change). Derived from events alone, so a rebuild recreates exactly the same transactions
 * and answers: nothing is sent twice because of a rebuild, and nothing pending is forgotten.
 * The relay (src/carpos/carpos-relay.ts) enqueues each order's oldest pending transaction;
 * `carposMessages` lists the answers.
 */
export const carposTransactionsProjection: Projection = {
  name: 'carpos_transactions',
  version: 1,
  eventTypes: [
    'OrganisationCreated',
    'CarposSettingChanged',
    ...([
      'OrderDrafted', 'OrderAdded', 'OrderCloned', 'OrderModified', 'OrderServed', 'OrderCancelled', 'OrderSealed', 'OrderUnsealed',
      'CarposTransactionAccepted', 'CarposTransactionRejected',
    ] satisfies OrderEventType[]),
  ],
  tables: ['organisations', 'orders', 'transactions'],
  createTables: ({ table }) => `
    CREATE TABLE ${table('organisations')} (
      ori            text PRIMARY KEY,
      carpos_enabled boolean NOT NULL,
      revision       bigint NOT NULL
    );
    CREATE TABLE ${table('orders')} (
      order_id      text PRIMARY KEY,
      revision      bigint NOT NULL,
      court_ori     text,
      case_number   text,
      sealed        boolean NOT NULL DEFAULT false,
      entered       boolean NOT NULL DEFAULT false,
      enter_rejected boolean NOT NULL DEFAULT false
    );
    CREATE TABLE ${table('transactions')} (
      tcn         text PRIMARY KEY,
      order_id    text NOT NULL,
      revision    bigint NOT NULL,
      type        text NOT NULL,
      court_ori   text NOT NULL,
      created_at  timestamptz NOT NULL,
      status      text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'void')),
      fcn         text,
      code        text,
      message     text,
      input_echo  text,
      answered_at timestamptz
    );
    CREATE INDEX ON ${table('transactions')} (order_id, revision) WHERE status = 'pending';`,
  queryIndexes: ({ table }) => [
    `CREATE INDEX IF NOT EXISTS ${table('transactions')}_answers ON ${table('transactions')} (answered_at DESC) WHERE answered_at IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${table('transactions')}_court ON ${table('transactions')} (court_ori, answered_at DESC)`,
  ],
  handle: (ctx, event) => prepareAndWrite(carposTransactionsProjection, ctx, [event]),
  // Set-based (a rebuild applies millions of events) and prepared ahead: the batch's orders and
  // courts are taken from the batch before (still being written) or read, the events applied in
  // memory in order, and everything written back in a few statements.
  async prepareBatch(batch, { db, table, previous }) {
    const pause = yielder();
    const state = await loadBatchState(db, table, batch, previous);
    for (const event of batch) {
      await pause();
      if (event.stream.startsWith(ORGANISATION_STREAM_PREFIX)) organisationChanged(state, event);
      else {
        const orderEvent = recordedOrderEvent(event);
        if (orderEvent) orderChanged(state, orderEvent);
      }
    }
    return preparedWrites(state);
  },
};

const ORGANISATION_STREAM_PREFIX = 'org-';
const VOID_MESSAGE = 'not sent: DOJ rejected the order’s ENTER, so it holds no record to change';

interface OrganisationRow {
  ori: string;
  carpos_enabled: boolean;
  revision: number;
}

interface OrderRow {
  order_id: string;
  revision: number;
  court_ori: string | null;
  case_number: string | null;
  sealed: boolean;
  entered: boolean;
  enter_rejected: boolean;
}

const ORDER_COLUMNS = ['order_id', 'revision', 'court_ori', 'case_number', 'sealed', 'entered', 'enter_rejected'] as const satisfies readonly (keyof OrderRow)[];

interface TransactionRow {
  tcn: string;
  order_id: string;
  revision: string;
  type: string;
  court_ori: string | null;
  created_at: string;
  status: 'pending' | 'accepted' | 'rejected' | 'void';
  fcn: string | null;
  code: string | null;
  message: string | null;
  input_echo: string | null;
  answered_at: string | null;
}

const TRANSACTION_COLUMNS = [
  'tcn', 'order_id', 'revision', 'type', 'court_ori', 'created_at', 'status', 'fcn', 'code', 'message', 'input_echo', 'answered_at',
] as const satisfies readonly (keyof TransactionRow)[];

/** What a batch reads, changes in memory and writes back. */
interface BatchState {
  organisations: Map<string, OrganisationRow & { changed: boolean }>;
  orders: Map<string, OrderRow & { changed: boolean }>;
  /** Transactions created in this batch. */
  created: Map<string, TransactionRow>;
  /** Answers to transactions created in earlier batches, in event order. */
  answers: Pick<TransactionRow, 'tcn' | 'status' | 'fcn' | 'code' | 'message' | 'input_echo' | 'answered_at'>[];
  /** Orders whose ENTER DOJ rejected in this batch: their pending transactions become void once the batch's rows are written. */
  voided: Map<string, string>;
}

/** A row a prepared batch leaves: an order's keyed by its id, a court's by `org:<ori>`. */
type LeftRow = OrderRow | OrganisationRow;

/**
 * The batch's orders and courts as the batch before leaves them or, for the rest, as committed
 * (an order whose stream starts in the batch has no row yet). Copied: this batch changes its
 * rows in place, and the batch before may still be written.
 */
async function loadBatchState(
  db: PrepareContext['db'],
  table: PrepareContext['table'],
  batch: readonly RecordedEvent[],
  previous: PreparedBatch | undefined,
): Promise<BatchState> {
  const orderEvents: RecordedOrderEvent[] = [];
  const oris = new Set<string>();
  for (const event of batch) {
    if (event.stream.startsWith(ORGANISATION_STREAM_PREFIX)) oris.add(event.stream.slice(ORGANISATION_STREAM_PREFIX.length));
    else {
      const orderEvent = recordedOrderEvent(event);
      if (!orderEvent) continue;
      orderEvents.push(orderEvent);
      if (orderEvent.type === 'OrderAdded' || orderEvent.type === 'OrderCloned') oris.add(orderEvent.data.data.court.ori);
    }
  }
  const state: BatchState = { orders: new Map(), organisations: new Map(), created: new Map(), answers: [], voided: new Map() };
  const left = previous?.rows as ReadonlyMap<string, LeftRow> | undefined;
  for (const ori of oris) {
    const row = left?.get(`org:${ori}`) as OrganisationRow | undefined;
    if (row) state.organisations.set(ori, { ...row, changed: false });
  }
  const [orders, organisations] = await Promise.all([
    rowsBefore(orderEvents, (event) => event.orderId, previous, async (orderIds) => {
      const { rows } = await db.query<OrderRow>(`SELECT *, revision::int AS revision FROM ${table('orders')} WHERE order_id = ANY ($1::text[])`, [orderIds]);
      return rows.map((row): [string, OrderRow] => [row.order_id, row]);
    }),
    db.query<OrganisationRow>(`SELECT ori, carpos_enabled, revision::int AS revision FROM ${table('organisations')} WHERE ori = ANY ($1::text[])`, [
      [...oris].filter((ori) => !state.organisations.has(ori)),
    ]),
  ]);
  for (const [orderId, row] of orders) state.orders.set(orderId, { ...row, changed: false });
  for (const row of organisations.rows) state.organisations.set(row.ori, { ...row, changed: false });
  return state;
}

function organisationChanged(state: BatchState, event: RecordedEvent): void {
  const ori = event.stream.slice(ORGANISATION_STREAM_PREFIX.length);
  const before = state.organisations.get(ori);
  if (before && before.revision >= Number(event.revision)) return;
  state.organisations.set(ori, { ori, carpos_enabled: (event.data as { carposEnabled: boolean }).carposEnabled, revision: Number(event.revision), changed: true });
}

function orderChanged(state: BatchState, event: RecordedOrderEvent): void {
  const before = state.orders.get(event.orderId);
  // The revision applied guards against redelivered events.
  if (before && before.revision >= Number(event.revision)) return;
  const order = before ?? { order_id: event.orderId, revision: 0, court_ori: null, case_number: null, sealed: false, entered: false, enter_rejected: false, changed: true };
  order.revision = Number(event.revision);
  order.changed = true;
  state.orders.set(event.orderId, order);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'OrderDrafted':
    case 'OrderAdded':
    case 'OrderCloned':
    case 'OrderModified':
      order.court_ori = event.data.data.court.ori;
      order.case_number = event.data.data.caseNumber ?? null;
      break;
    case 'OrderSealed':
    case 'OrderUnsealed':
      order.sealed = event.type === 'OrderSealed';
      break;
    case 'CarposTransactionAccepted':
      answer(state, { tcn: event.data.tcn, status: 'accepted', fcn: event.data.fcn, code: null, message: null, input_echo: null, answered_at: at });
      break;
    case 'CarposTransactionRejected': {
      const { tcn, code, message, inputEcho } = event.data;
      answer(state, { tcn, status: 'rejected', fcn: null, code, message, input_echo: inputEcho, answered_at: at });
      if (event.data.transactionType === 'ENTER') {
        order.enter_rejected = true;
        state.voided.set(event.orderId, at);
      }
      break;
    }
  }
  const enabled = (ori: string) => state.organisations.get(ori)?.carpos_enabled === true;
  const type = transactionTypeFor(event, { entered: order.entered }, enabled);
  if (!type) return;
  if (type === 'ENTER') order.entered = true;
  const tcn = tcnFor(event.id);
  if (state.created.has(tcn)) return;
  state.created.set(tcn, {
    tcn,
    order_id: event.orderId,
    revision: event.revision.toString(),
    type,
    court_ori: order.court_ori,
    created_at: at,
    status: order.enter_rejected ? 'void' : 'pending',
    fcn: null,
    code: null,
    message: order.enter_rejected ? VOID_MESSAGE : null,
    input_echo: null,
    answered_at: order.enter_rejected ? at : null,
  });
}

/** An answer settles a pending transaction, made in this batch or an earlier one. */
function answer(state: BatchState, settled: BatchState['answers'][number]): void {
  const created = state.created.get(settled.tcn);
  if (created) {
    if (created.status === 'pending') Object.assign(created, settled);
  } else state.answers.push(settled);
}

/** The batch's writes, made into statement parameters now: the next batch changes these rows in place. */
function preparedWrites(state: BatchState): PreparedBatch {
  const organisations = [...state.organisations.values()].filter((o) => o.changed).map(({ changed: _, ...row }) => row);
  const orders = [...state.orders.values()].filter((o) => o.changed).map(({ changed: _, ...row }) => row);
  const organisationRows = JSON.stringify(organisations);
  const orderRows = copyText(orders.map((order) => ORDER_COLUMNS.map((column) => order[column])));
  const createdRows = copyText([...state.created.values()].map((created) => TRANSACTION_COLUMNS.map((column) => created[column])));
  const answers = JSON.stringify(state.answers);
  const voided = [...state.voided];
  const rows = new Map<string, LeftRow>([
    ...organisations.map((row): [string, LeftRow] => [`org:${row.ori}`, row]),
    ...orders.map((row): [string, LeftRow] => [row.order_id, row]),
  ]);
  const write = async ({ db, table }: ProjectionContext) => {
    if (organisations.length > 0) {
      await db.query(
        `INSERT INTO ${table('organisations')} SELECT * FROM json_populate_recordset(NULL::${table('organisations')}, $1::json)
         ON CONFLICT (ori) DO UPDATE SET carpos_enabled = EXCLUDED.carpos_enabled, revision = EXCLUDED.revision`,
        [organisationRows],
      );
    }
    await copyUpsert(
      db,
      table('orders'),
      ORDER_COLUMNS,
      orderRows,
      `ON CONFLICT (order_id) DO UPDATE SET revision = EXCLUDED.revision, court_ori = EXCLUDED.court_ori, case_number = EXCLUDED.case_number,
         sealed = EXCLUDED.sealed, entered = EXCLUDED.entered, enter_rejected = EXCLUDED.enter_rejected`,
    );
    const transactions = table('transactions');
    await copyUpsert(db, transactions, TRANSACTION_COLUMNS, createdRows, 'ON CONFLICT (tcn) DO NOTHING');
    if (state.answers.length > 0) {
      await db.query(
        `UPDATE ${transactions} t SET status = a.status, fcn = a.fcn, code = a.code, message = a.message, input_echo = a.input_echo, answered_at = a.answered_at
           FROM json_populate_recordset(NULL::${transactions}, $1::json) a WHERE t.tcn = a.tcn AND t.status = 'pending'`,
        [answers],
      );
    }
    for (const [orderId, at] of voided) {
      await db.query(`UPDATE ${transactions} SET status = 'void', message = $2, answered_at = $3 WHERE order_id = $1 AND status = 'pending'`, [orderId, VOID_MESSAGE, at]);
    }
  };
  return { rows, write };
}
