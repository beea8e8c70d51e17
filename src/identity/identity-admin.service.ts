import { Inject, Injectable } from '@nestjs/common';
import { AccessLog } from '../access/access-log';
import { can, Decision, Principal, Role, toDomainError } from '../access/access-policy';
import { ACCESS_LOG } from '../access/access.tokens';
import { CLOCK, Clock } from '../app/clock';
import { CommandEnvelope, CommandResult } from '../command-handling/command-handler';
import { commandIdFor } from '../command-handling/idempotency';
import { DomainError, NotFoundError, ValidationError } from '../shared/domain-error';
import { normaliseOri } from '../shared/ori';
import type { Actor } from './authority';
import type { OrganisationCommands } from './identity.bootstrap';
import type { UserCommands } from './identity.service';
import { ORGANISATION_COMMANDS, USER_COMMANDS } from './identity.tokens';
import { OrganisationRef, UserCommand, normaliseUserId } from './user.commands';
import { organisationStream } from './organisation.decider';
import { OrganisationCommand } from './organisation.commands';
import { OrganisationKind, OrganisationState } from './organisation.events';
import { hashPassword, verifyPassword } from './password-hasher';
import { validatePassword } from './password-policy';
import { accountIdFor } from './user-account-id';
import { userStream } from './user.decider';
import { UserProfile, UserState } from './user.events';

/** Who asks, under which idempotency key, from where: what every administrative mutation needs. */
export interface AdminRequest {
  principal: Principal;
  idempotencyKey: string;
  /** The client's address, for the access log. */
  client?: string;
}

/** A user who exists. */
export type ExistingUser = UserState & { profile: UserProfile };

export interface NewOrganisation {
  ori: string;
  name: string;
  kind: OrganisationKind;
  county?: string | null;
  carposEnabled: boolean;
}

export interface NewUser {
  userId: string;
  displayName: string;
  /** ORI. */
  organisation: string;
  roles: Role[];
  cletsCertified: boolean;
  password: string;
}

/** What the access log says about one administrative mutation; never a password or a hash. */
interface AdminEntry {
  mutation: string;
  /** The user id or ORI acted on. */
  target: string;
  details?: Record<string, unknown>;
}

/**
 * The administrative identity mutations (DESIGN §4, docs/decisions.md "Identity"): the access
 * policy decides at the edge, the deciders defend their invariants again, and every attempt
 * by a signed-in user is written to the access log with action `admin`, refused ones too.
 */
@Injectable()
export class IdentityAdminService {
  constructor(
    @Inject(USER_COMMANDS) private readonly users: UserCommands,
    @Inject(ORGANISATION_COMMANDS) private readonly organisations: OrganisationCommands,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLog,
  ) {}

  createOrganisation(request: AdminRequest, { ori: given, name, kind, county, carposEnabled }: NewOrganisation): Promise<OrganisationState> {
    const ori = normaliseOri(given);
    const entry = { mutation: 'createOrganization', target: ori, details: { name, kind, county, carposEnabled } };
    return this.administer(request, entry, ({ actor, now }, envelope) => {
      requireAllowed(can(request.principal, 'organisations.create'), 'organisation', ori);
      const command: OrganisationCommand = { type: 'CreateOrganisation', ori, now, actor, name, kind, county: county ?? undefined, carposEnabled };
      return renamingFields(() => this.organisations.handle(organisationStream(ori), command, envelope), inInput);
    });
  }

  changeCarposSetting(request: AdminRequest, given: string, carposEnabled: boolean): Promise<OrganisationState> {
    const ori = normaliseOri(given);
    return this.administer(request, { mutation: 'changeCarposSetting', target: ori, details: { carposEnabled } }, ({ actor, now }, envelope) => {
      requireAllowed(can(request.principal, 'organisations.configure'), 'organisation', ori);
      return this.organisations.handle(organisationStream(ori), { type: 'ChangeCarposSetting', ori, now, actor, carposEnabled }, envelope);
    });
  }

  createUser(request: AdminRequest, input: NewUser): Promise<ExistingUser> {
    const { principal } = request;
    const userId = normaliseUserId(input.userId);
    const ori = normaliseOri(input.organisation);
    const { displayName, roles, cletsCertified } = input;
    const entry = { mutation: 'createUser', target: userId, details: { organisation: ori, displayName, roles, cletsCertified } };
    return this.administer(request, entry, async ({ actor, now }, envelope) => {
      const manage = can(principal, 'users.manage', { organisation: ori });
      // A SYSTEM_ADMINISTRATOR may appoint administrators of any organisation; the decider refuses them other users.
      if (!manage.allowed && !can(principal, 'organisations.appointAdministrator').allowed) throw toDomainError(manage, 'organisation', ori);
      const organisation = await this.organisationRef(ori);
      return renamingFields(async () => {
        const passwordHash = await hashChecked(input.password, userId, 'password');
        const accountId = accountIdFor(userId);
        const command: UserCommand = { type: 'CreateUser', accountId, now, actor, userId, displayName, organisation, roles, cletsCertified, passwordHash };
        return this.handleUser(accountId, command, envelope);
      }, inInput);
    });
  }

  changeUserRoles(request: AdminRequest, userId: string, roles: Role[], cletsCertified: boolean): Promise<ExistingUser> {
    return this.onUser(request, userId, { mutation: 'changeUserRoles', details: { roles, cletsCertified } }, (base) => ({
      type: 'ChangeUserRoles',
      ...base,
      roles,
      cletsCertified,
    }));
  }

  disableUser(request: AdminRequest, userId: string, reason: string): Promise<ExistingUser> {
    return this.onUser(request, userId, { mutation: 'disableUser', details: { reason } }, (base) => ({ type: 'DisableUser', ...base, reason }));
  }

  enableUser(request: AdminRequest, userId: string): Promise<ExistingUser> {
    return this.onUser(request, userId, { mutation: 'enableUser' }, (base) => ({ type: 'EnableUser', ...base }));
  }

  unlockUser(request: AdminRequest, userId: string): Promise<ExistingUser> {
    return this.onUser(request, userId, { mutation: 'unlockUser' }, (base) => ({ type: 'UnlockUser', ...base }));
  }

  /** An administrator's reset; users change their own password with `changePassword`, which checks the current one. */
  resetPassword(request: AdminRequest, userId: string, newPassword: string): Promise<ExistingUser> {
    return this.onUser(request, userId, { mutation: 'resetPassword' }, async (base, user) => {
      if (user.userId === request.principal.userId) {
        throw ValidationError.single('userId', 'own_password', 'is your own user id: change your own password with changePassword');
      }
      return { type: 'ChangePassword', ...base, passwordHash: await hashChecked(newPassword, user.userId, 'newPassword') };
    });
  }

  /**
   * The signed-in user's own change. A wrong current password is refused as bad input on
   * `currentPassword` and counts towards nothing: the caller holds a valid session, and the
   * field is rate limited like login (identity-admin.resolver.ts).
   */
  changePassword(request: AdminRequest, currentPassword: string, newPassword: string): Promise<ExistingUser> {
    const { userId } = request.principal;
    return this.administer(request, { mutation: 'changePassword', target: userId }, async ({ actor, now }, envelope) => {
      const accountId = accountIdFor(userId);
      const history = await this.users.load(userStream(accountId));
      const { profile } = this.users.fold(history);
      if (!profile) throw new NotFoundError('user', userId); // users are never deleted: only a bug gets here
      // A retry of a change that went through finds the new password in place; the pipeline
      // answers it from the stream. Only this user can derive this command id.
      const retry = history.some((event) => event.metadata.commandId === envelope.commandId);
      if (!retry && !(await verifyPassword(profile.passwordHash, currentPassword))) {
        throw ValidationError.single('currentPassword', 'not_current_password', 'is not your current password');
      }
      const passwordHash = await hashChecked(newPassword, userId, 'newPassword');
      return this.handleUser(accountId, { type: 'ChangePassword', accountId, now, actor, passwordHash }, envelope);
    });
  }

  /** A user for their administrators; see `visibleUser` for who gets NOT_FOUND. */
  user(principal: Principal, userId: string): Promise<ExistingUser> {
    return this.visibleUser(principal, userId);
  }

  /**
   * The user as this principal may see them. Without ADMINISTRATOR or SYSTEM_ADMINISTRATOR the
   * answer is FORBIDDEN on the role alone, before any read. A SYSTEM_ADMINISTRATOR sees every
   * user. An ADMINISTRATOR asking about a user of another organisation gets NOT_FOUND, exactly
   * as for a missing one, so no administrator can probe which login names exist elsewhere.
   */
  private async visibleUser(principal: Principal, userId: string): Promise<ExistingUser> {
    const administrator = can(principal, 'users.manage', { organisation: principal.organisation });
    const operator = can(principal, 'organisations.appointAdministrator').allowed;
    if (!administrator.allowed && !operator) throw toDomainError(administrator, 'user', userId);
    const state = this.users.fold(await this.users.load(userStream(accountIdFor(userId))));
    const { profile } = state;
    if (!profile || !(operator || can(principal, 'users.manage', { organisation: profile.organisation }).allowed)) {
      throw new NotFoundError('user', normaliseUserId(userId));
    }
    return { ...state, profile };
  }

  /** A mutation of one existing user, by an ADMINISTRATOR of the user's organisation. */
  private onUser(
    request: AdminRequest,
    userId: string,
    entry: Omit<AdminEntry, 'target'>,
    commandOf: (base: { accountId: string; now: string; actor: Actor }, user: UserProfile) => UserCommand | Promise<UserCommand>,
  ): Promise<ExistingUser> {
    return this.administer(request, { ...entry, target: normaliseUserId(userId) }, async ({ actor, now }, envelope) => {
      const { profile } = await this.visibleUser(request.principal, userId);
      requireAllowed(can(request.principal, 'users.manage', { organisation: profile.organisation }), 'user', profile.userId);
      return this.handleUser(profile.accountId, await commandOf({ accountId: profile.accountId, now, actor }, profile), envelope);
    });
  }

  /** Every command here either creates the user or needs them, so a result always has a profile. */
  private async handleUser(accountId: string, command: UserCommand, envelope: CommandEnvelope): Promise<CommandResult<ExistingUser>> {
    return (await this.users.handle(userStream(accountId), command, envelope)) as CommandResult<ExistingUser>;
  }

  /** kind null when there is no such organisation: the user decider answers NOT_FOUND. */
  private async organisationRef(ori: string): Promise<OrganisationRef> {
    const { organisation } = this.organisations.fold(await this.organisations.load(organisationStream(ori)));
    return { ori, kind: organisation?.kind ?? null };
  }

  /**
   * Runs one mutation under the command id of the caller's idempotency key, and records the
   * outcome in the access log: `ok` (with `replayed` for a retry), or `refused` with the code
   * and rule. Only domain refusals are refused outcomes; anything else is a fault, not an answer.
   */
  private async administer<State>(
    { principal, idempotencyKey, client }: AdminRequest,
    { mutation, target, details }: AdminEntry,
    act: (base: { actor: Actor; now: string }, envelope: CommandEnvelope) => Promise<CommandResult<State>>,
  ): Promise<State> {
    const now = this.clock.now().toISOString();
    const { userId, organisation, roles } = principal;
    const commandId = commandIdFor(userId, idempotencyKey);
    const envelope: CommandEnvelope = { commandId, actor: { userId, organisation, role: roles.join(',') }, occurredAt: now };
    const record = (outcome: 'ok' | 'refused', result: Record<string, unknown>) =>
      this.accessLog.record({ at: now, userId, organisation, action: 'admin', outcome, target, details: { mutation, ...details, commandId, ...result }, client });
    try {
      const result = await act({ actor: { userId, organisation, roles }, now }, envelope);
      await record('ok', result.replayed ? { replayed: true } : {});
      return result.state;
    } catch (error) {
      if (error instanceof DomainError) await record('refused', { code: error.code, rule: error.rule });
      throw error;
    }
  }
}

function requireAllowed(decision: Decision, what: string, id: string): void {
  if (!decision.allowed) throw toDomainError(decision, what, id);
}

/** The password policy's findings are named after the argument the client sent the password in. */
async function hashChecked(password: string, userId: string, field: string): Promise<string> {
  await renamingFields(() => validatePassword(password, userId), () => field);
  return hashPassword(password);
}

/** Bad input found by a decider or the password policy, under the names the client sent it by. */
async function renamingFields<T>(act: () => T | Promise<T>, rename: (field: string) => string): Promise<T> {
  try {
    return await act();
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.violations.map((violation) => ({ ...violation, field: rename(violation.field) })));
    throw error;
  }
}

/** Fields of a mutation's `input` argument, as class-validator names them too. */
const inInput = (field: string) => `input.${field}`;
