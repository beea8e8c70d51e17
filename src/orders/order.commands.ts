import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { ForbiddenError, InvalidStateError, LockedError, NotFoundError, ValidationError } from '../shared/domain-error';
import {
  applyPatch,
  CalendarDateSchema,
  diffData,
  DraftOrderData,
  OrderData,
  OrderDataPatch,
  validateDraft,
  validateForCarpos,
  validateFull,
} from './order-data';
import {
  CANCELLATION_REASONS,
  CARPOS_TRANSACTION_TYPES,
  CarposAnswer,
  IMAGE_CONTENT_TYPES,
  OrderEvent,
  OrderImage,
  OrderLock,
  OrderState,
  OrderStatus,
  SERVICE_METHODS,
  Service,
  Cancellation,
} from './order.events';
import { InputRule, parseOrThrow, ruled, valueAt } from '../shared/zod-violations';

/**
 * Commands on one order and the pure `decide`. Time, actor and ids arrive in the command; a
 * rejection is a thrown DomainError and nothing is appended. Which roles may send which
 * command at all is the policy module's job; here live only the rules that depend on the
 * order's own state: status, the sealed flag's originating court, and the edit lock.
 */

export type { Actor };

interface CommandBase<Type extends string> {
  type: Type;
  orderId: string;
  /** ISO instant at which the command was accepted. */
  now: string;
  actor: Actor;
}

export type DraftOrder = CommandBase<'DraftOrder'> & { data: OrderDataPatch };
/** On a DRAFT, data is merged over the draft's data and the result must be a full order. */
export type AddOrder = CommandBase<'AddOrder'> & { data: OrderDataPatch; submitToCarpos: boolean };
export type ModifyOrder = CommandBase<'ModifyOrder'> & { patch: OrderDataPatch };
/** orderId is the NEW order; the caller loads the source (and checks the actor may read it). */
export type CloneOrder = CommandBase<'CloneOrder'> & {
  source: { orderId: string; status: OrderStatus; data: DraftOrderData | null };
  overrides?: OrderDataPatch;
  submitToCarpos: boolean;
};
export type ServeOrder = CommandBase<'ServeOrder'> & Service;
export type CancelOrder = CommandBase<'CancelOrder'> & Cancellation;
export type SealOrder = CommandBase<'SealOrder'>;
export type UnsealOrder = CommandBase<'UnsealOrder'>;
/** Default 30 minutes, at most 480 (a working day). */
export type LockOrder = CommandBase<'LockOrder'> & { durationMinutes?: number };
export type UnlockOrder = CommandBase<'UnlockOrder'>;
export type AttachImage = CommandBase<'AttachImage'> & { image: OrderImage };
/** Sent by the scheduler; asOfDate is the court calendar day (YYYY-MM-DD) it runs for. */
export type ExpireOrder = CommandBase<'ExpireOrder'> & { asOfDate: string };
/** Sent by the CARPOS worker. A rejected answer's inputEcho is cut to its first 100 characters. */
export type RecordCarposAnswer = CommandBase<'RecordCarposAnswer'> & { answer: CarposAnswer };

export type OrderCommand =
  | DraftOrder
  | AddOrder
  | ModifyOrder
  | CloneOrder
  | ServeOrder
  | CancelOrder
  | SealOrder
  | UnsealOrder
  | LockOrder
  | UnlockOrder
  | AttachImage
  | ExpireOrder
  | RecordCarposAnswer;

export const DEFAULT_LOCK_MINUTES = 30;
export const MAX_LOCK_MINUTES = 480;
export const CARPOS_ECHO_LENGTH = 100;

export function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'DraftOrder':
      requireNew(state, command.orderId);
      return [{ type: 'OrderDrafted', data: { orderId: command.orderId, data: validateDraft(command.data) } }];
    case 'AddOrder':
      return add(command, state);
    case 'ModifyOrder':
      return modify(command, state);
    case 'CloneOrder':
      return clone(command, state);
    case 'ServeOrder':
      // No lock check: a deputy records service in the field and must not be held up by a
      // clerk who happens to be editing the order's data.
      guard(state, command, { status: ACTIVE, sealed: 'when_sealed', lock: false });
      return [{ type: 'OrderServed', data: parseOrThrow(ServiceSchema, command, [explainedIfOther('method', 'notes'), notAfter('servedAt', command.now)]) }];
    case 'CancelOrder':
      guard(state, command, { status: DRAFT_OR_ACTIVE, sealed: 'when_sealed', lock: true });
      return [{ type: 'OrderCancelled', data: parseOrThrow(CancellationSchema, command, [explainedIfOther('reason', 'reasonText')]) }];
    case 'SealOrder':
    case 'UnsealOrder':
      return sealOrUnseal(command, state);
    case 'LockOrder':
      return lock(command, state);
    case 'UnlockOrder':
      return unlock(command, state);
    case 'AttachImage':
      return attach(command, state);
    case 'ExpireOrder':
      return expire(command, state);
    case 'RecordCarposAnswer':
      return recordCarposAnswer(command, state);
  }
}

function add(command: AddOrder, state: OrderState): OrderEvent[] {
  const fromDraft = state.status === 'DRAFT';
  // Completing a draft changes it, so the draft's lock and seal apply as they do to Modify.
  if (fromDraft) guard(state, command, { sealed: 'when_sealed', lock: true });
  else requireNew(state, command.orderId);
  const data = validateOrder(applyPatch(state.data ?? {}, command.data), command.submitToCarpos);
  return [{ type: 'OrderAdded', data: { orderId: command.orderId, data, submitToCarpos: command.submitToCarpos, fromDraft } }];
}

function modify(command: ModifyOrder, state: OrderState): OrderEvent[] {
  guard(state, command, { status: DRAFT_OR_ACTIVE, sealed: 'when_sealed', lock: true });
  const merged = applyPatch(state.data, command.patch);
  // An order already sent to CARPOS must stay acceptable to DOJ, or its MODIFY would bounce.
  const data = state.status === 'DRAFT' ? validateDraft(merged) : validateOrder(merged, state.carpos.submitted);
  const changes = diffData(state.data, data);
  if (changes.length === 0) {
    throw ValidationError.single('patch', 'no_changes', 'changes nothing: every value given equals the current one');
  }
  return [{ type: 'OrderModified', data: { changes, data } }];
}

/**
 * A clone copies an order that exists as an order: ACTIVE, or CANCELLED/EXPIRED (a new order
 * for the same parties after the old one ended is the usual reason to clone). A DRAFT source
 * is refused: it was never an order; complete it with AddOrder instead.
 */
function clone(command: CloneOrder, state: OrderState): OrderEvent[] {
  requireNew(state, command.orderId);
  const { source } = command;
  if (source.status === 'NONE') throw new NotFoundError('order', source.orderId);
  if (source.status === 'DRAFT') {
    throw new InvalidStateError('order.clone.source_is_draft', `order ${source.orderId} is a DRAFT and cannot be cloned; add it instead`);
  }
  const data = validateOrder(applyPatch(source.data, command.overrides ?? {}), command.submitToCarpos);
  return [
    { type: 'OrderCloned', data: { orderId: command.orderId, clonedFrom: source.orderId, data, submitToCarpos: command.submitToCarpos } },
  ];
}

function sealOrUnseal(command: SealOrder | UnsealOrder, state: OrderState): OrderEvent[] {
  guard(state, command, { sealed: 'always', lock: true });
  const sealing = command.type === 'SealOrder';
  if (state.sealed === sealing) {
    throw new InvalidStateError(
      sealing ? 'order.already_sealed' : 'order.not_sealed',
      `order ${command.orderId} is ${sealing ? 'already sealed' : 'not sealed'}`,
    );
  }
  return [sealing ? { type: 'OrderSealed', data: {} } : { type: 'OrderUnsealed', data: {} }];
}

function lock(command: LockOrder, state: OrderState): OrderEvent[] {
  // Locking is the first step of changing, so a sealed order is locked only by those who may change it.
  guard(state, command, { status: DRAFT_OR_ACTIVE, sealed: 'when_sealed', lock: true });
  const { durationMinutes } = parseOrThrow(LockSchema, command);
  const expiresAt = new Date(Date.parse(command.now) + durationMinutes * 60_000).toISOString();
  const { userId, organisation } = command.actor;
  return [{ type: 'OrderLocked', data: { lockedBy: userId, lockedByOrganisation: organisation, lockedAt: command.now, expiresAt } }];
}

/** The holder releases; an ADMINISTRATOR of the holder's organisation may force it (DESIGN §4). */
function unlock(command: UnlockOrder, state: OrderState): OrderEvent[] {
  guard(state, command, {});
  const held = bindingLock(state, command.now);
  if (!held) throw new InvalidStateError('order.lock.not_locked', `order ${command.orderId} is not locked`);
  const { actor } = command;
  const forced = held.holder !== actor.userId;
  if (forced && !(actor.roles.includes('ADMINISTRATOR') && actor.organisation === held.organisation)) {
    throw new ForbiddenError(
      'order.lock.holder_or_administrator_required',
      `only ${held.holder} or an ADMINISTRATOR of ${held.organisation} may remove this lock`,
    );
  }
  return [{ type: 'OrderUnlocked', data: { unlockedBy: actor.userId, forced } }];
}

function attach(command: AttachImage, state: OrderState): OrderEvent[] {
  guard(state, command, { status: DRAFT_OR_ACTIVE, sealed: 'when_sealed', lock: true });
  const { image } = parseOrThrow(AttachImageSchema, command);
  if (state.images.some((attached) => attached.sha256 === image.sha256)) {
    throw new InvalidStateError('order.image.already_attached', `image ${image.sha256} is already attached to order ${command.orderId}`);
  }
  return [{ type: 'ImageAttached', data: { image } }];
}

/** An order is in force through its expiration date; it expires on the following day. */
function expire(command: ExpireOrder, state: OrderState): OrderEvent[] {
  guard(state, command, { status: ACTIVE });
  const { asOfDate } = parseOrThrow(ExpireSchema, command);
  const expirationDate = state.data?.expirationDate;
  if (expirationDate === undefined || expirationDate >= asOfDate) {
    throw new InvalidStateError(
      'order.expire.not_due',
      expirationDate === undefined
        ? `order ${command.orderId} has no expiration date and never expires`
        : `order ${command.orderId} expires on ${expirationDate} and is still in force on ${asOfDate}`,
    );
  }
  return [{ type: 'OrderExpired', data: { asOfDate } }];
}

/** Any status: DOJ's answer to a CANCEL arrives after the order is CANCELLED. */
function recordCarposAnswer(command: RecordCarposAnswer, state: OrderState): OrderEvent[] {
  guard(state, command, {});
  // The worker is at-least-once: a TCN already answered is a redelivery, not a new fact.
  if (state.carpos.answeredTcns.includes(command.answer.tcn)) return [];
  return [parseOrThrow(command.answer.accepted === true ? AcceptedAnswerSchema : RejectedAnswerSchema, command)];
}

// ---- preconditions -------------------------------------------------------------------------

interface StatusRule {
  allowed: readonly OrderStatus[];
  rule: string;
}
const ACTIVE: StatusRule = { allowed: ['ACTIVE'], rule: 'order.status.active_required' };
const DRAFT_OR_ACTIVE: StatusRule = { allowed: ['DRAFT', 'ACTIVE'], rule: 'order.status.draft_or_active_required' };

interface Preconditions {
  status?: StatusRule;
  /** 'always' for seal/unseal; 'when_sealed' for commands that change a possibly sealed order. */
  sealed?: 'always' | 'when_sealed';
  /** Refuse while another user holds an unexpired edit lock. */
  lock?: boolean;
}

/** Checked in this order so that a user without authority learns nothing about status or locks. */
function guard(state: OrderState, command: OrderCommand, rules: Preconditions): void {
  if (state.status === 'NONE') throw new NotFoundError('order', command.orderId);
  if (rules.sealed === 'always' || (rules.sealed === 'when_sealed' && state.sealed)) requireSealedUpdater(state, command);
  if (rules.status && !rules.status.allowed.includes(state.status)) {
    throw new InvalidStateError(
      rules.status.rule,
      `order ${command.orderId} is ${state.status}; ${command.type} needs ${rules.status.allowed.join(' or ')}`,
    );
  }
  const held = rules.lock ? bindingLock(state, command.now) : null;
  if (held && held.holder !== command.actor.userId) throw new LockedError(held.holder, held.expiresAt);
}

function requireNew(state: OrderState, orderId: string): void {
  if (state.status !== 'NONE') {
    throw new InvalidStateError('order.already_exists', `order ${orderId} already exists with status ${state.status}`);
  }
}

/** Sealed orders belong to their originating court: only its QUERY_UPDATE_SEALED users change them. */
function requireSealedUpdater(state: OrderState, { actor, orderId }: OrderCommand): void {
  if (!actor.roles.includes('QUERY_UPDATE_SEALED') || actor.organisation !== state.courtOri) {
    throw new ForbiddenError(
      'order.sealed.originating_court_sealed_update_required',
      `order ${orderId}: only a QUERY_UPDATE_SEALED user of the originating court ${state.courtOri} may seal, unseal or change a sealed order`,
    );
  }
}

/** A lock binds until its expiry; an expired lock is simply ignored, so nobody must clear it. */
function bindingLock(state: OrderState, now: string): OrderLock | null {
  return state.lock && Date.parse(state.lock.expiresAt) > Date.parse(now) ? state.lock : null;
}

function validateOrder(input: unknown, submitToCarpos: boolean): OrderData {
  return submitToCarpos ? validateForCarpos(input) : validateFull(input);
}

// ---- command payload schemas ---------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1).max(max);

/** Normalised to UTC so that projections sort and compare service times as strings. */
const InstantSchema = z
  .string()
  .trim()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    ruled('instant_format', 'must be an ISO 8601 instant with a time zone, e.g. 2025-03-01T14:30:00Z'),
  )
  .transform((s) => new Date(s).toISOString());

const ServiceSchema = z.object({
  servedAt: InstantSchema,
  method: z.enum(SERVICE_METHODS),
  servedBy: text(100),
  agency: text(100),
  notes: text(500).optional(),
});

const CancellationSchema = z.object({ reason: z.enum(CANCELLATION_REASONS), reasonText: text(500).optional() });

/** An image's metadata as events hold it; Quick Attach records its image by the same rules. */
export const OrderImageSchema = z.strictObject({
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .refine((h) => /^[0-9a-f]{64}$/.test(h), ruled('sha256_format', 'must be 64 hexadecimal digits')),
  contentType: z.enum(IMAGE_CONTENT_TYPES),
  sizeBytes: z.number().int().min(1),
  pageCount: z.number().int().min(1).optional(),
  fileName: text(255).optional(),
});

const AttachImageSchema = z.object({ image: OrderImageSchema });

const LockSchema = z.object({
  durationMinutes: z.number().int().min(1).max(MAX_LOCK_MINUTES).default(DEFAULT_LOCK_MINUTES),
});

const ExpireSchema = z.object({ asOfDate: CalendarDateSchema });

const answerBase = { tcn: text(64), transactionType: z.enum(CARPOS_TRANSACTION_TYPES) };
const AcceptedAnswerSchema = z.object({
  answer: z.strictObject({
    ...answerBase,
    accepted: z.literal(true),
    fcn: z.string().refine((f) => /^\d{13}$/.test(f), ruled('fcn_format', 'must be the 13-digit file control number')),
  }),
}).transform(({ answer: { accepted: _, ...data } }) => ({ type: 'CarposTransactionAccepted' as const, data }));
// DOJ's wording is recorded as sent: refusing an odd answer would lose it.
const RejectedAnswerSchema = z.object({
  answer: z.strictObject({
    ...answerBase,
    accepted: z.literal(false),
    code: text(50),
    message: z.string(),
    inputEcho: z.string().transform((echo) => echo.slice(0, CARPOS_ECHO_LENGTH)),
  }),
}).transform(({ answer: { accepted: _, ...data } }) => ({ type: 'CarposTransactionRejected' as const, data }));

/** Choosing OTHER (service method, cancellation reason) needs words saying what it was. */
function explainedIfOther(choiceField: string, textField: string): InputRule {
  return (input) =>
    valueAt(input, choiceField) === 'OTHER' && valueAt(input, textField) === undefined
      ? [{ field: textField, rule: 'required_for_other', message: `is required when ${choiceField} is OTHER` }]
      : [];
}

function notAfter(field: string, now: string): InputRule {
  return (input) => {
    const instant = InstantSchema.safeParse(valueAt(input, field));
    return instant.success && Date.parse(instant.data) > Date.parse(now)
      ? [{ field, rule: 'not_in_future', message: `must not be later than now (${now})` }]
      : [];
  };
}
