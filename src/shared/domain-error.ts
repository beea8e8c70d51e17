/**
 * Typed domain errors. Deciders and command handlers throw these; the GraphQL edge maps
 * `code` to `extensions.code` and keeps the message, which names the field and the rule.
 */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'LOCKED' | 'FORBIDDEN' | 'READ_MODEL_BEHIND';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Stable machine-readable name of the rule that was broken, e.g. `order.status.active_required`. */
  abstract readonly rule: string;
}

export interface FieldViolation {
  /** Dotted path into the command, e.g. `order.restrainedPerson.sex`. */
  field: string;
  rule: string;
  message: string;
}

/** Bad input: one or more fields break a rule. */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  readonly rule: string;
  readonly field: string;
  constructor(readonly violations: readonly FieldViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.message}`).join('; '));
    this.field = violations[0]?.field ?? '';
    this.rule = violations[0]?.rule ?? 'invalid';
  }
  static single(field: string, rule: string, message: string): ValidationError {
    return new ValidationError([{ field, rule, message }]);
  }
}

/** The command is not allowed in the aggregate's current state (e.g. serving a cancelled order). */
export class InvalidStateError extends DomainError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly rule: string, message: string) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  readonly rule = 'not_found';
  constructor(readonly what: string, readonly id: string) {
    super(`${what} ${id} not found`);
  }
}

/** Someone else holds the edit lock. */
export class LockedError extends DomainError {
  readonly code = 'LOCKED' as const;
  readonly rule = 'order.locked_by_another_user';
  constructor(readonly holderUserId: string, readonly expiresAt: string) {
    super(`order is locked by user ${holderUserId} until ${expiresAt}`);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
  constructor(readonly rule: string, message: string) {
    super(message);
  }
}

/** Two writers raced for the same stream and this one lost: the caller must reload and retry. */
export class ConcurrencyConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
  readonly rule = 'concurrent_modification';
  constructor(readonly stream: string, readonly expectedRevision: string, readonly actualRevision: string) {
    super(
      `${stream} was changed by someone else (you had revision ${expectedRevision}, it is now at ${actualRevision}); reload and try again`,
    );
  }
}

/**
 * A read asked to wait for a position (read-your-writes) and the read models did not get there
 * in time: answering from older data would silently hide the caller's own write.
 */
export class ReadModelBehindError extends DomainError {
  readonly code = 'READ_MODEL_BEHIND' as const;
  readonly rule = 'read_model.position_not_reached';
  constructor(readonly position: string, timeoutMs: number) {
    super(`the read models have not reached position ${position} within ${timeoutMs / 1000} s; try again shortly`);
  }
}
