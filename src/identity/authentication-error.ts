/**
 * The caller is not (or no longer) signed in, or a login was refused. Not a DomainError: it
 * is about the request, not about an aggregate's rules. The GraphQL edge answers it with
 * `extensions.code` UNAUTHENTICATED.
 */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
}

/**
 * One answer for every refused login (unknown user, bad password, locked, disabled), so an
 * attacker learns nothing about which user ids exist or which accounts are locked.
 */
export const LOGIN_REFUSED = 'user id or password is incorrect, or the account is locked or disabled';

export const SESSION_REQUIRED = 'a valid session is required: log in and send Authorization: Bearer <token>';
