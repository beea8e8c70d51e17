import { FieldViolation, ValidationError } from '../shared/domain-error';
import { normaliseUserId } from './user.commands';

/**
 * Password rules checked on the plain password before it is hashed (CJIS Security Policy
 * 5.6.2.1, DESIGN §4): at least 8 characters, not the user id. No composition rules and no
 * forced rotation, following NIST SP 800-63B, which CJIS now adopts. The upper bound keeps
 * a request from making argon2 hash megabytes.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Unicode NFKC, as NIST SP 800-63B asks, so that the same password typed on another keyboard
 * or OS still verifies. The hasher applies it before hashing and verifying; lengths count
 * code points of this form.
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Throws one ValidationError on field `password` listing every rule broken. */
export function validatePassword(password: string, userId?: string): void {
  const normalised = normalisePassword(password);
  const length = [...normalised].length;
  const violations: FieldViolation[] = [];
  if (length < PASSWORD_MIN_LENGTH) {
    violations.push({ field: 'password', rule: 'min_length', message: `must be at least ${PASSWORD_MIN_LENGTH} characters` });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    violations.push({ field: 'password', rule: 'max_length', message: `must be at most ${PASSWORD_MAX_LENGTH} characters` });
  }
  if (userId !== undefined && normaliseUserId(normalised) === normaliseUserId(userId)) {
    violations.push({ field: 'password', rule: 'same_as_user_id', message: 'must not be the user id' });
  }
  if (violations.length > 0) throw new ValidationError(violations);
}
