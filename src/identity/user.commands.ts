import { z } from 'zod';
import { Role, ROLES } from '../access/access-policy';
import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../shared/domain-error';
import { parseOrThrow, ruled } from '../shared/zod-violations';
import { Actor, isSystemAdministrator, mayManageUsersOf } from './authority';
import { normaliseOri } from '../shared/ori';
import { OrganisationKind } from './organisation.events';
import {
  Authorisation,
  LOCKOUT_THRESHOLD,
  LOCKOUT_WINDOW_MS,
  LOGIN_FAILURE_REASONS,
  LoginFailureReason,
  UserEvent,
  UserProfile,
  UserState,
} from './user.events';

/**
 * Commands on one user and the pure `decide`. Passwords never reach here: the caller hashes
 * (password-hasher.ts) and verifies, and sends the hash or the verification's outcome.
 * Administrative commands check existence → authority → state → input, as orders do.
 */

interface CommandBase<Type extends string> {
  type: Type;
  /** The uuid of the user's stream (see user-account-id.ts). */
  accountId: string;
  /** ISO instant at which the command was accepted. */
  now: string;
}
type Administered<Type extends string> = CommandBase<Type> & { actor: Actor };

/** The user's organisation as the caller loaded it; kind is null when no such organisation exists. */
export interface OrganisationRef {
  ori: string;
  kind: OrganisationKind | null;
}

export type CreateUser = Administered<'CreateUser'> & {
  /** The login name. */
  userId: string;
  displayName: string;
  organisation: OrganisationRef;
  roles: Role[];
  cletsCertified: boolean;
  passwordHash: string;
};
export type ChangeUserRoles = Administered<'ChangeUserRoles'> & Authorisation;
export type DisableUser = Administered<'DisableUser'> & { reason?: string };
export type EnableUser = Administered<'EnableUser'>;
export type UnlockUser = Administered<'UnlockUser'>;
/** By the user themself (the caller has checked the current password) or an administrator's reset. */
export type ChangePassword = Administered<'ChangePassword'> & { passwordHash: string };
/** Sent after the password was verified; the terms must be accepted at every login. */
export type RecordLoginSucceeded = CommandBase<'RecordLoginSucceeded'> & {
  sessionId: string;
  acceptTerms: boolean;
  termsVersion: string;
};
/** reason as given by `loginRefusal`. */
export type RecordLoginFailed = CommandBase<'RecordLoginFailed'> & { reason: LoginFailureReason };
export type RecordLogout = CommandBase<'RecordLogout'> & { sessionId: string };

export type UserCommand =
  | CreateUser
  | ChangeUserRoles
  | DisableUser
  | EnableUser
  | UnlockUser
  | ChangePassword
  | RecordLoginSucceeded
  | RecordLoginFailed
  | RecordLogout;

/** Login names are case-insensitive: `Clerk.One` and `clerk.one` are one user. */
export function normaliseUserId(userId: string): string {
  return userId.trim().toLowerCase();
}

/**
 * Why a login attempt is refused, or null when it succeeds. A disabled or locked account is
 * refused whatever the password, and that is the reason recorded.
 */
export function loginRefusal(state: UserState, passwordVerified: boolean): LoginFailureReason | null {
  if (state.disabled) return 'disabled';
  if (state.lockedOut) return 'locked';
  return passwordVerified ? null : 'bad_password';
}

export function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'CreateUser':
      return create(command, state);
    case 'ChangeUserRoles':
      return changeRoles(command, state);
    case 'DisableUser': {
      const user = requireManagedUser(state, command);
      requireState(!state.disabled, 'user.already_disabled', `user ${user.userId} is already disabled`);
      return [{ type: 'UserDisabled', data: parseOrThrow(DisableSchema, command) }];
    }
    case 'EnableUser': {
      const user = requireManagedUser(state, command);
      requireState(state.disabled, 'user.not_disabled', `user ${user.userId} is not disabled`);
      return [{ type: 'UserEnabled', data: {} }];
    }
    case 'UnlockUser': {
      const user = requireManagedUser(state, command);
      requireState(state.lockedOut, 'user.not_locked', `user ${user.userId} is not locked out`);
      return [{ type: 'UserUnlocked', data: {} }];
    }
    case 'ChangePassword':
      return changePassword(command, state);
    case 'RecordLoginSucceeded':
      return loginSucceeded(command, state);
    case 'RecordLoginFailed':
      return loginFailed(command, state);
    case 'RecordLogout': {
      requireUser(state, command.accountId);
      const { sessionId } = parseOrThrow(SessionSchema, command);
      return [{ type: 'UserLoggedOut', data: { sessionId, at: command.now } }];
    }
  }
}

/**
 * An ADMINISTRATOR creates users of their own organisation. A SYSTEM_ADMINISTRATOR appoints
 * administrators anywhere (an organisation's first ones, or new ones when all are locked
 * out) and the registry operator's system administrators, and leaves other users to them.
 */
function create(command: CreateUser, state: UserState): UserEvent[] {
  const { actor, organisation } = command;
  const ori = normaliseOri(organisation.ori);
  const manager = mayManageUsersOf(actor, ori);
  if (!manager && !isSystemAdministrator(actor)) throw forbiddenToManage(ori);
  if (organisation.kind === null) throw new NotFoundError('organisation', ori);
  if (state.profile) throw new InvalidStateError('user.already_exists', `user ${state.profile.userId} already exists`);
  const input = parseOrThrow(CreateSchema, command);
  if (!manager && !input.roles.some((role) => role === 'ADMINISTRATOR' || role === 'SYSTEM_ADMINISTRATOR')) {
    throw new ForbiddenError(
      'user.create.system_administrator_appoints_administrators_only',
      `a SYSTEM_ADMINISTRATOR creates only administrators; other users of ${ori} are created by its ADMINISTRATOR`,
    );
  }
  requireRoleGrant(input.roles, [], actor, organisation.kind);
  return [
    { type: 'UserCreated', data: { accountId: command.accountId, ...input, organisation: ori, organisationKind: organisation.kind } },
  ];
}

function changeRoles(command: ChangeUserRoles, state: UserState): UserEvent[] {
  const user = requireManagedUser(state, command);
  const after = parseOrThrow(AuthorisationSchema, command);
  requireRoleGrant(after.roles, user.roles, command.actor, user.organisationKind);
  if (after.roles.join() === user.roles.join() && after.cletsCertified === user.cletsCertified) {
    throw ValidationError.single('roles', 'no_changes', 'changes nothing: the roles and CLETS certification are already these');
  }
  return [{ type: 'UserRolesChanged', data: { ...after, before: { roles: user.roles, cletsCertified: user.cletsCertified } } }];
}

function changePassword(command: ChangePassword, state: UserState): UserEvent[] {
  const user = requireUser(state, command.accountId);
  const reset = command.actor.userId !== user.userId;
  if (reset) requireManagerOf(command.actor, user.organisation);
  const { passwordHash } = parseOrThrow(PasswordHashOnlySchema, command);
  return [{ type: 'PasswordChanged', data: { passwordHash, reset } }];
}

function loginSucceeded(command: RecordLoginSucceeded, state: UserState): UserEvent[] {
  const user = requireUser(state, command.accountId);
  const refusal = loginRefusal(state, true);
  if (refusal) {
    throw new InvalidStateError(`user.login.${refusal}`, `user ${user.userId} may not log in: the account is ${refusal}`);
  }
  const { sessionId, termsVersion } = parseOrThrow(LoginSchema, command);
  return [{ type: 'UserLoggedIn', data: { sessionId, termsVersion, at: command.now } }];
}

/**
 * Every failure is recorded. A bad password is counted against the failures kept in the
 * state: when it is the LOCKOUT_THRESHOLD-th within the window ending now, the account is
 * locked in the same decision. The window is rolling (an attempt exactly 15 minutes older
 * no longer counts), and equal times count separately, so attempts batched or aliased in
 * one request each count.
 */
function loginFailed(command: RecordLoginFailed, state: UserState): UserEvent[] {
  requireUser(state, command.accountId);
  const { reason } = parseOrThrow(FailureSchema, command);
  const failed: UserEvent = { type: 'UserLoginFailed', data: { reason, at: command.now } };
  if (reason !== 'bad_password' || state.lockedOut) return [failed];
  const now = Date.parse(command.now);
  const failedAttempts = [...state.recentFailures, command.now].filter((at) => now - Date.parse(at) < LOCKOUT_WINDOW_MS).length;
  return failedAttempts >= LOCKOUT_THRESHOLD ? [failed, { type: 'UserLockedOut', data: { at: command.now, failedAttempts } }] : [failed];
}

// ---- preconditions -------------------------------------------------------------------------

function requireUser(state: UserState, accountId: string): UserProfile {
  if (!state.profile) throw new NotFoundError('user', accountId);
  return state.profile;
}

function requireManagedUser(state: UserState, command: Extract<UserCommand, { actor: Actor }>): UserProfile {
  const user = requireUser(state, command.accountId);
  requireManagerOf(command.actor, user.organisation);
  return user;
}

function requireManagerOf(actor: Actor, organisation: string): void {
  if (!mayManageUsersOf(actor, organisation)) throw forbiddenToManage(organisation);
}

function forbiddenToManage(organisation: string): ForbiddenError {
  return new ForbiddenError('user.administrator_of_organisation_required', `only an ADMINISTRATOR of ${organisation} manages its users`);
}

function requireState(condition: boolean, rule: string, message: string): void {
  if (!condition) throw new InvalidStateError(rule, message);
}

/** SYSTEM_ADMINISTRATOR is granted and revoked only by a system administrator, only in the registry operator. */
function requireRoleGrant(roles: readonly Role[], before: readonly Role[], actor: Actor, kind: OrganisationKind): void {
  if (roles.includes('SYSTEM_ADMINISTRATOR') !== before.includes('SYSTEM_ADMINISTRATOR') && !isSystemAdministrator(actor)) {
    throw new ForbiddenError('user.roles.system_administrator_required', 'only a SYSTEM_ADMINISTRATOR grants or revokes SYSTEM_ADMINISTRATOR');
  }
  if (roles.includes('SYSTEM_ADMINISTRATOR') && kind !== 'REGISTRY_OPERATOR') {
    throw ValidationError.single('roles', 'system_administrator_registry_operator_only', 'SYSTEM_ADMINISTRATOR is only for users of the REGISTRY_OPERATOR');
  }
}

// ---- command payload schemas ---------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1).max(max);

/** A login name after normaliseUserId; config and the GraphQL inputs use it too (case-insensitively there). */
export const LOGIN_NAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{2,63}$/;
export const LOGIN_NAME_RULE = 'must be 3 to 64 letters, digits, ".", "_", "-" or "@", starting with a letter or digit';

const UserIdSchema = z
  .string()
  .transform(normaliseUserId)
  .refine(
    (id) => LOGIN_NAME_PATTERN.test(id),
    ruled('user_id_format', LOGIN_NAME_RULE),
  );

/** Stored in the order of ROLES without repeats, so equal sets compare equal. */
const RolesSchema = z
  .array(z.enum(ROLES))
  .min(1)
  .transform((roles) => ROLES.filter((role) => roles.includes(role)));

/** Hashing happens before the decider; this only refuses anything but argon2id (DESIGN §4). */
const PasswordHashSchema = z
  .string()
  .refine((hash) => hash.startsWith('$argon2id$'), ruled('argon2id_required', 'must be an argon2id hash in PHC string format'));

const AuthorisationSchema = z.object({ roles: RolesSchema, cletsCertified: z.boolean() });

const CreateSchema = AuthorisationSchema.extend({
  userId: UserIdSchema,
  displayName: text(100),
  passwordHash: PasswordHashSchema,
});

const PasswordHashOnlySchema = z.object({ passwordHash: PasswordHashSchema });

const DisableSchema = z.object({ reason: text(500).optional() });

const SessionSchema = z.object({ sessionId: text(100) });

const LoginSchema = SessionSchema.extend({
  acceptTerms: z.boolean().refine((accepted) => accepted, ruled('terms_not_accepted', 'the terms and conditions must be accepted to log in')),
  termsVersion: text(50),
});

const FailureSchema = z.object({ reason: z.enum(LOGIN_FAILURE_REASONS) });
