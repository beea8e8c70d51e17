import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { normaliseUserId } from './user.commands';

// Fixed namespace for account ids. Never change it: every user stream is named through it.
const ACCOUNT_ID_NAMESPACE = parseUuid('2a4e40c3-53a2-472c-a297-f720664a4162');

/**
 * The uuid of a user's `user-<uuid>` stream, derived from the login name. Appending
 * UserCreated with expected revision `no_stream` then makes login names unique, and a login
 * finds its stream without a read model. A login name can therefore never be renamed or
 * reused, which the audit trail wants anyway.
 */
export function accountIdFor(userId: string): string {
  return uuidv5(normaliseUserId(userId), ACCOUNT_ID_NAMESPACE);
}
