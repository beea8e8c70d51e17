import { z } from 'zod';
import { CONDITION_CODES, ORDER_TYPES, RACES, SEXES, YES_NO_UNKNOWN } from '../../orders/order-data';
import { CANCELLATION_REASONS, CARPOS_TRANSACTION_TYPES, SERVICE_METHODS } from '../../orders/order.events';
import type { DojAnswer } from '../carpos-transaction';

/**
 * The DOJ side of CARPOS as the simulator plays it (docs/carpos.md): an order file keyed by
 * FCN that validates what it receives, answers each transaction control number once and
 * repeats that first answer for a repeated TCN, so a gateway that retries after a crash
 * neither enters an order twice nor gets a different answer.
 */

export const ECHO_LENGTH = 100;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const name = z.string().trim().min(1).max(50);
const person = z.object({
  lastName: name,
  firstName: name,
  middleName: name.optional(),
  dateOfBirth: date.optional(),
  age: z.number().int().min(0).max(130).optional(),
  sex: z.enum(SEXES).optional(),
  race: z.enum(RACES).optional(),
  height: z.number().int().optional(),
  weight: z.number().int().optional(),
  hair: z.string().max(20).optional(),
  eyes: z.string().max(20).optional(),
});
const order = z
  .object({
    caseNumber: z.string().trim().min(1).max(30),
    orderType: z.enum(ORDER_TYPES),
    issuedDate: date,
    expirationDate: date.optional(),
    restrained: person.extend({ sex: z.enum(SEXES), race: z.enum(RACES), aliases: z.array(z.string()).optional() }),
    protected: z.array(person).min(1),
    conditions: z.array(z.object({ code: z.enum(CONDITION_CODES), text: z.string().max(500).optional() })),
    bradyIndicator: z.enum(YES_NO_UNKNOWN).optional(),
    firearmProhibition: z.enum(YES_NO_UNKNOWN).optional(),
  })
  .refine((o) => o.restrained.dateOfBirth !== undefined || o.restrained.age !== undefined, {
    message: 'date of birth or age is required',
    path: ['restrained', 'dateOfBirth'],
  })
  .refine((o) => o.expirationDate === undefined || o.expirationDate >= o.issuedDate, {
    message: 'must not precede the issued date',
    path: ['expirationDate'],
  })
  .refine((o) => o.conditions.every((c) => c.code !== '08' || c.text), { message: 'condition 08 needs its text', path: ['conditions'] });

const transaction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ENTER'), tcn: z.string().min(1).max(64), ori: z.string().regex(/^[A-Z0-9]{9}$/), order }),
  z.object({ type: z.literal('MODIFY'), tcn: z.string().min(1).max(64), ori: z.string().regex(/^[A-Z0-9]{9}$/), fcn: z.string(), order }),
  z.object({
    type: z.literal('SERVICE'),
    tcn: z.string().min(1).max(64),
    ori: z.string().regex(/^[A-Z0-9]{9}$/),
    fcn: z.string(),
    service: z.object({ servedAt: z.string().min(1), method: z.enum(SERVICE_METHODS), servedBy: z.string().min(1), agency: z.string().min(1) }),
  }),
  z.object({
    type: z.literal('CANCEL'),
    tcn: z.string().min(1).max(64),
    ori: z.string().regex(/^[A-Z0-9]{9}$/),
    fcn: z.string(),
    cancellation: z.object({ reason: z.enum(CANCELLATION_REASONS), reasonText: z.string().optional() }),
  }),
]);
type Transaction = z.infer<typeof transaction>;

interface FileRecord {
  fcn: string;
  ori: string;
  order: z.infer<typeof order>;
  services: number;
}

export class DojOrderFile {
  private readonly answers = new Map<string, DojAnswer>();
  private readonly records = new Map<string, FileRecord>();
  /** FCN by duplicate key (agency, restrained name, date of birth, case): DOJ's REJECT ON FILE check. */
  private readonly byKey = new Map<string, string>();
  private sequence = 0;
  /** Transactions applied to the file (a repeated TCN is not applied again). */
  readonly applied: { tcn: string; type: string; fcn: string | null; accepted: boolean }[] = [];
  /** Every transaction received, repeats included. */
  received = 0;

  /** Answers one raw transaction as DOJ would; a repeated TCN gets its first answer back. */
  process(raw: string): DojAnswer {
    this.received++;
    const echo = raw.slice(0, ECHO_LENGTH);
    let input: unknown;
    try {
      input = JSON.parse(raw);
    } catch {
      return { tcn: '', status: 'REJECTED', code: 'FORMAT', message: 'the transaction is not valid JSON', echo };
    }
    const tcn = typeof (input as { tcn?: unknown })?.tcn === 'string' ? (input as { tcn: string }).tcn : '';
    const earlier = this.answers.get(tcn);
    if (earlier) return earlier;
    const answer = this.apply(tcn, input, echo);
    if (tcn) this.answers.set(tcn, answer);
    this.applied.push({ tcn, type: String((input as { type?: unknown })?.type), fcn: answer.status === 'ACCEPTED' ? answer.fcn : null, accepted: answer.status === 'ACCEPTED' });
    return answer;
  }

  private apply(tcn: string, input: unknown, echo: string): DojAnswer {
    const reject = (code: string, message: string): DojAnswer => ({ tcn, status: 'REJECTED', code, message, echo });
    const parsed = transaction.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || 'type';
      const known = (CARPOS_TRANSACTION_TYPES as readonly string[]).includes(String((input as { type?: unknown })?.type));
      return reject(known ? 'INVALID FIELD' : 'INVALID TRANSACTION', `${field}: ${issue.message}`);
    }
    const tx = parsed.data;
    if (tx.type === 'ENTER') return this.enter(tx, reject);
    const record = this.records.get(tx.fcn);
    if (!record || record.ori !== tx.ori) return reject('NOT ON FILE', `no order with FCN ${tx.fcn} for agency ${tx.ori}`);
    if (tx.type === 'MODIFY') {
      this.byKey.delete(keyOf(record));
      record.order = tx.order;
      this.byKey.set(keyOf(record), record.fcn);
    }
    if (tx.type === 'SERVICE') record.services++;
    if (tx.type === 'CANCEL') {
      this.records.delete(tx.fcn);
      this.byKey.delete(keyOf(record));
    }
    return { tcn, status: 'ACCEPTED', fcn: record.fcn };
  }

  private enter(tx: Extract<Transaction, { type: 'ENTER' }>, reject: (code: string, message: string) => DojAnswer): DojAnswer {
    const record: FileRecord = { fcn: '', ori: tx.ori, order: tx.order, services: 0 };
    const duplicate = this.byKey.get(keyOf(record));
    if (duplicate) return reject('REJECT ON FILE', `an order for this person and case is already on file as FCN ${duplicate}`);
    record.fcn = this.nextFcn(tx.ori);
    this.records.set(record.fcn, record);
    this.byKey.set(keyOf(record), record.fcn);
    return { tcn: tx.tcn, status: 'ACCEPTED', fcn: record.fcn };
  }

  /** 13 digits: the agency code (the first three digits of the ORI, its county) and a 10-digit sequence. */
  private nextFcn(ori: string): string {
    return `${ori.replace(/\D/g, '').padEnd(3, '0').slice(0, 3)}${String(++this.sequence).padStart(10, '0')}`;
  }
}

function keyOf({ ori, order: { restrained, caseNumber } }: FileRecord): string {
  return [ori, restrained.lastName.toUpperCase(), restrained.firstName.toUpperCase(), restrained.dateOfBirth ?? '', caseNumber.toUpperCase()].join('|');
}
