import type { Role } from '../access/access-policy';
import { DomainEvent } from '../decider/decider';
import { OrganisationKind } from './organisation.events';

/**
 * Events of the `user-<uuid>` stream: one registry user, their authority and their logins.
 * Times that belong to the fact (a login attempt, a lockout) are data, not only metadata,
 * because `evolve` needs them to count failures in the lockout window.
 */

/**
 * Why a login was refused. Only `bad_password` counts towards the lockout: attempts on a
 * disabled or already locked account say nothing new about a guessed password.
 */
export const LOGIN_FAILURE_REASONS = ['bad_password', 'disabled', 'locked'] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

/** Five failed logins in fifteen minutes lock the account (DESIGN §4, CJIS). */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60_000;

/** roles in the order of the access policy's ROLES, without repeats. */
export interface Authorisation {
  roles: Role[];
  cletsCertified: boolean;
}

export interface UserProfile extends Authorisation {
  accountId: string;
  /** The login name: lower-case, unique, what audit trails show as the actor's user id. */
  userId: string;
  displayName: string;
  /** ORI of the user's organisation. */
  organisation: string;
  /** Kept so that role changes can enforce the SYSTEM_ADMINISTRATOR rule; a kind never changes. */
  organisationKind: OrganisationKind;
  /** argon2id, PHC string format. */
  passwordHash: string;
}

export type UserCreated = DomainEvent<'UserCreated', UserProfile>;
export type UserRolesChanged = DomainEvent<'UserRolesChanged', Authorisation & { before: Authorisation }>;
export type UserDisabled = DomainEvent<'UserDisabled', { reason?: string }>;
export type UserEnabled = DomainEvent<'UserEnabled', Record<string, never>>;
/** reset: someone other than the user set it (an administrator's password reset). */
export type PasswordChanged = DomainEvent<'PasswordChanged', { passwordHash: string; reset: boolean }>;
/** The terms and conditions version the user accepted at this login (DESIGN §4: recorded). */
export type UserLoggedIn = DomainEvent<'UserLoggedIn', { sessionId: string; termsVersion: string; at: string }>;
export type UserLoginFailed = DomainEvent<'UserLoginFailed', { reason: LoginFailureReason; at: string }>;
/** failedAttempts: bad passwords inside the window, this one included. */
export type UserLockedOut = DomainEvent<'UserLockedOut', { at: string; failedAttempts: number }>;
export type UserUnlocked = DomainEvent<'UserUnlocked', Record<string, never>>;
export type UserLoggedOut = DomainEvent<'UserLoggedOut', { sessionId: string; at: string }>;

export type UserEvent =
  | UserCreated
  | UserRolesChanged
  | UserDisabled
  | UserEnabled
  | PasswordChanged
  | UserLoggedIn
  | UserLoginFailed
  | UserLockedOut
  | UserUnlocked
  | UserLoggedOut;

export interface UserState {
  /** null until the user is created. */
  profile: UserProfile | null;
  disabled: boolean;
  lockedOut: boolean;
  /**
   * Times of bad-password failures since the last successful login or unlock, newest last.
   * Only the latest LOCKOUT_THRESHOLD - 1 can share a window with the next attempt, so only
   * those are kept: the state stays small however long an attack goes on.
   */
  recentFailures: string[];
  /** The terms version accepted at the latest login. */
  termsVersion: string | null;
}

export function initialUserState(): UserState {
  return { profile: null, disabled: false, lockedOut: false, recentFailures: [], termsVersion: null };
}

export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { ...state, profile: event.data };
    case 'UserRolesChanged':
      return withProfile(state, { roles: event.data.roles, cletsCertified: event.data.cletsCertified });
    case 'PasswordChanged':
      return withProfile(state, { passwordHash: event.data.passwordHash });
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'UserEnabled':
      return { ...state, disabled: false };
    case 'UserLoggedIn':
      return { ...state, recentFailures: [], termsVersion: event.data.termsVersion };
    case 'UserLoginFailed':
      return event.data.reason === 'bad_password'
        ? { ...state, recentFailures: [...state.recentFailures, event.data.at].slice(-(LOCKOUT_THRESHOLD - 1)) }
        : state;
    case 'UserLockedOut':
      return { ...state, lockedOut: true };
    case 'UserUnlocked':
      return { ...state, lockedOut: false, recentFailures: [] };
    case 'UserLoggedOut':
      return state;
  }
}

function withProfile(state: UserState, changes: Partial<UserProfile>): UserState {
  return { ...state, profile: state.profile && { ...state.profile, ...changes } };
}
