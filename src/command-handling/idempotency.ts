import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

// Fixed namespace for command ids derived from idempotency keys. Never change it: a client
// retrying across a release would otherwise act a second time.
const COMMAND_ID_NAMESPACE = parseUuid('224625d7-614a-401a-873c-c48582f8a687');

/**
 * The command id of a client's idempotency key (DESIGN §12). Scoped to the signed-in user, so
 * one user's key can never replay, or collide with, another user's command. The newline
 * cannot occur in a login name or a key, so no two (user, key) pairs share a name.
 */
export function commandIdFor(userId: string, idempotencyKey: string): string {
  return uuidv5(`${userId}\n${idempotencyKey}`, COMMAND_ID_NAMESPACE);
}
