import { hash, verify } from '@node-rs/argon2';
import { normalisePassword } from './password-policy';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first recommended configuration:
 * 19 MiB of memory, 2 passes, 1 lane (m=19456, t=2, p=1), 16-byte random salt, 32-byte tag.
 * About 20-40 ms per hash on one core. The parameters travel inside each PHC string, so
 * raising them later leaves existing hashes verifiable.
 */
export const ARGON2ID_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id; the package's const enum cannot be imported under SWC's isolated modules
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** A `$argon2id$...` PHC string. Validate the password (password-policy.ts) first. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), ARGON2ID_OPTIONS);
}

/** True when the password matches; a hash that is not a PHC string is a bug and throws. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, normalisePassword(password));
}
