import { z } from 'zod';
import { FieldViolation } from '../shared/domain-error';
import { OriSchema } from '../shared/ori';
import { InputRule, isPlainObject, parseOrThrow, ruled, valueAt } from '../shared/zod-violations';

/**
 * The data keyed from a restraining or protective order (DESIGN §3.1), at three levels:
 * - draft: only court and order type required, but whatever is given must be well-formed;
 * - full: a complete order that may become ACTIVE;
 * - CARPOS: full plus what DOJ rejects an entry without (restrained sex, race, DOB or age).
 * Every validator throws one ValidationError listing all violations; on success it returns
 * the normalised data (strings trimmed, names kept in the case entered, ORI upper-cased).
 */

/** Judicial Council forms; DV-600 registers an out-of-state or tribal order. */
export const ORDER_TYPES = [
  'DV-110', 'DV-130', 'CH-110', 'CH-130', 'EA-110', 'EA-130', 'WV-110', 'WV-130', 'SV-110',
  'SV-130', 'GV-110', 'GV-130', 'CR-160', 'CR-161', 'JV-250', 'EPO-001', 'DV-600',
] as const;
export const SEXES = ['M', 'F', 'U'] as const;
/** NCIC race codes as used by CARPOS. */
export const RACES = ['A', 'B', 'H', 'I', 'P', 'U', 'W'] as const;
export const YES_NO_UNKNOWN = ['Y', 'N', 'U'] as const;
/** NCIC protection order condition codes; 08 means "see the text", so it needs text. */
export const CONDITION_CODES = ['01', '02', '03', '04', '05', '06', '07', '08', '09'] as const;

export type OrderType = (typeof ORDER_TYPES)[number];
export type Sex = (typeof SEXES)[number];
export type Race = (typeof RACES)[number];
export type YesNoUnknown = (typeof YES_NO_UNKNOWN)[number];
export type ConditionCode = (typeof CONDITION_CODES)[number];

/** True for a real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Dates stay strings: an order's dates are court calendar days, with no time zone to shift them. */
export const CalendarDateSchema = z
  .string()
  .trim()
  .refine(isCalendarDate, ruled('date_format', 'must be a real calendar date written YYYY-MM-DD'));

const text = (max: number) => z.string().trim().min(1).max(max);
const personName = text(50);

const CourtSchema = z.strictObject({ county: text(50), ori: OriSchema });

const RestrainedPersonSchema = z.strictObject({
  lastName: personName,
  firstName: personName,
  middleName: personName.optional(),
  aliases: z.array(text(100)).max(20).default([]),
  dateOfBirth: CalendarDateSchema.optional(),
  age: z.number().int().min(0).max(130).optional(),
  sex: z.enum(SEXES).optional(),
  race: z.enum(RACES).optional(),
  /** Whole inches (5'10" is 70): one unambiguous number that sorts and ranges in queries. */
  height: z.number().int().min(12).max(108).optional(),
  /** Pounds. */
  weight: z.number().int().min(1).max(1500).optional(),
  hair: text(20).optional(),
  eyes: text(20).optional(),
  address: text(200).optional(),
  /** Relationship to the protected person(s), as written on the order. */
  relationship: text(50).optional(),
});

const ProtectedPersonSchema = z.strictObject({
  lastName: personName,
  firstName: personName,
  middleName: personName.optional(),
  dateOfBirth: CalendarDateSchema.optional(),
  sex: z.enum(SEXES).optional(),
  race: z.enum(RACES).optional(),
  relationship: text(50).optional(),
});

const ConditionSchema = z
  .strictObject({ code: z.enum(CONDITION_CODES), text: text(500).optional() })
  .refine(
    (c) => c.code !== '08' || c.text !== undefined,
    ruled('condition_text_required', 'is required for condition 08 (other conditions)', ['text']),
  );

const orderShape = {
  caseNumber: text(30),
  court: CourtSchema,
  orderType: z.enum(ORDER_TYPES),
  issuedDate: CalendarDateSchema,
  /** Absent for orders without an end date (e.g. some criminal protective orders). */
  expirationDate: CalendarDateSchema.optional(),
  hearingDate: CalendarDateSchema.optional(),
  judge: text(100).optional(),
  restrainedPerson: RestrainedPersonSchema,
  protectedPersons: z.array(ProtectedPersonSchema).min(1).max(50),
  conditions: z.array(ConditionSchema).max(9).default([]),
  firearmProhibition: z.enum(YES_NO_UNKNOWN).optional(),
  bradyIndicator: z.enum(YES_NO_UNKNOWN).optional(),
  notes: text(2000).optional(),
};

export const OrderDataSchema = z.strictObject(orderShape);
export const DraftOrderDataSchema = z
  .strictObject({
    ...orderShape,
    restrainedPerson: RestrainedPersonSchema.partial(),
    protectedPersons: z.array(ProtectedPersonSchema.partial()).max(50),
  })
  .partial()
  .required({ court: true, orderType: true });

export type OrderData = z.output<typeof OrderDataSchema>;
export type DraftOrderData = z.output<typeof DraftOrderDataSchema>;
export type Court = OrderData['court'];
export type RestrainedPerson = OrderData['restrainedPerson'];
export type ProtectedPerson = OrderData['protectedPersons'][number];
export type OrderCondition = OrderData['conditions'][number];

/**
 * A change to order data: objects merge field by field, arrays and scalars replace, and null
 * clears a field. Commands carry input in this shape; the validators decide what is acceptable.
 */
export type OrderDataPatch = Patch<DraftOrderData>;
type Patch<T> = {
  [K in keyof T]?: (NonNullable<T[K]> extends readonly unknown[] ? T[K] : NonNullable<T[K]> extends object ? Patch<NonNullable<T[K]>> : T[K]) | null;
};

const expirationNotBeforeIssue: InputRule = (input) => {
  const issued = CalendarDateSchema.safeParse(valueAt(input, 'issuedDate'));
  const expires = CalendarDateSchema.safeParse(valueAt(input, 'expirationDate'));
  return issued.success && expires.success && expires.data < issued.data
    ? [{ field: 'expirationDate', rule: 'expiration_before_issue', message: `must not be before the issued date ${issued.data}` }]
    : [];
};

/** DOJ rejects a CARPOS entry without these; the full level leaves them optional. */
const carposRequired: InputRule = (input) => {
  const missing = (path: string) => valueAt(input, path) === undefined;
  const violations: FieldViolation[] = ['restrainedPerson.sex', 'restrainedPerson.race']
    .filter(missing)
    .map((field) => ({ field, rule: 'required', message: 'is required for submission to CARPOS' }));
  if (missing('restrainedPerson.dateOfBirth') && missing('restrainedPerson.age')) {
    violations.push({
      field: 'restrainedPerson.dateOfBirth',
      rule: 'dob_or_age_required',
      message: 'date of birth or age is required for submission to CARPOS',
    });
  }
  return violations;
};

export function validateDraft(input: unknown): DraftOrderData {
  return parseOrThrow(DraftOrderDataSchema, input);
}

export function validateFull(input: unknown): OrderData {
  return parseOrThrow(OrderDataSchema, input, [expirationNotBeforeIssue]);
}

/** Full validation plus DOJ's requirements; used whenever the order goes to CARPOS. */
export function validateForCarpos(input: unknown): OrderData {
  return parseOrThrow(OrderDataSchema, input, [expirationNotBeforeIssue, carposRequired]);
}

/** Applies a patch (see OrderDataPatch) to data; the result still has to be validated. */
export function applyPatch(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = applyPatch(merged[key], value);
  }
  return merged;
}

/** One changed leaf; null stands for "absent" so the change survives JSON. */
export interface FieldChange {
  field: string;
  before: string | number | boolean | null;
  after: string | number | boolean | null;
}

/**
 * Leaf-level differences, e.g. `restrainedPerson.sex` or `protectedPersons.1.lastName`, so the
 * audit trail shows exactly what changed. An absent object or array compares as empty, so
 * adding a person lists that person's fields rather than one opaque blob.
 */
export function diffData(before: unknown, after: unknown, path = ''): FieldChange[] {
  const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (isPlainObject(before) || isPlainObject(after)) {
    const b = isPlainObject(before) ? before : {};
    const a = isPlainObject(after) ? after : {};
    return [...new Set([...Object.keys(b), ...Object.keys(a)])].flatMap((key) => diffData(b[key], a[key], join(key)));
  }
  if (Array.isArray(before) || Array.isArray(after)) {
    const b = Array.isArray(before) ? before : [];
    const a = Array.isArray(after) ? after : [];
    return Array.from({ length: Math.max(b.length, a.length) }, (_, i) => diffData(b[i], a[i], join(i))).flat();
  }
  return before === after ? [] : [{ field: path, before: leaf(before), after: leaf(after) }];
}

function leaf(value: unknown): FieldChange['before'] {
  return value === undefined ? null : (value as FieldChange['before']);
}
