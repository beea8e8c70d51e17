import type { Actor } from '../shared/actor';

/**
 * Who administers identity (DESIGN §4), the same rules as the access policy's `users.manage`,
 * `organisations.create` and `organisations.appointAdministrator`, kept here too because a
 * decider defends its invariants whoever calls it.
 */
export type { Actor };

export function isSystemAdministrator(actor: Actor): boolean {
  return actor.roles.includes('SYSTEM_ADMINISTRATOR');
}

/** An ADMINISTRATOR manages the users of their own organisation only. */
export function mayManageUsersOf(actor: Actor, organisation: string): boolean {
  return actor.roles.includes('ADMINISTRATOR') && actor.organisation === organisation;
}
