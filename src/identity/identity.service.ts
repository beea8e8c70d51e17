import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { AccessAction, AccessLog } from '../access/access-log';
import { ACCESS_LOG } from '../access/access.tokens';
import type { Principal } from '../access/access-policy';
import { CLOCK, Clock } from '../app/clock';
import { CONFIG } from '../app/infrastructure.module';
import { CommandEnvelope, CommandHandler } from '../command-handling/command-handler';
import type { Config } from '../config/config';
import { InvalidStateError, ValidationError } from '../shared/domain-error';
import { AuthenticationError, LOGIN_REFUSED, SESSION_REQUIRED } from './authentication-error';
import { SESSION_STORE, USER_COMMANDS } from './identity.tokens';
import { hashPassword, verifyPassword } from './password-hasher';
import { PASSWORD_MAX_LENGTH } from './password-policy';
import { SESSION_ABSOLUTE_TIMEOUT_MS, touch } from './session';
import { SessionStore, StoredSession } from './session-store';
import { accountIdFor } from './user-account-id';
import { loginRefusal, UserCommand } from './user.commands';
import { userStream } from './user.decider';
import { UserEvent, UserProfile, UserState } from './user.events';

export type UserCommands = CommandHandler<UserCommand, UserEvent, UserState>;

/** A request's signed-in user: the policy's principal, the session it came with, the current profile. */
export interface Authenticated {
  principal: Principal;
  session: StoredSession;
  user: UserProfile;
}

export interface LoginResult {
  token: string;
  /** The absolute end (12 h after login); idle expiry comes sooner without requests. */
  expiresAt: Date;
  user: UserProfile;
}

/** Login, logout and the per-request session check (DESIGN §4; docs/decisions.md "Identity"). */
@Injectable()
export class IdentityService {
  /** Verified against for unknown user ids, so they take as long as known ones and timing tells nothing. */
  private decoyHash?: Promise<string>;

  constructor(
    @Inject(USER_COMMANDS) private readonly users: UserCommands,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLog,
  ) {}

  /** `client` is the caller's address, for the access log. */
  async login(userId: string, password: string, acceptTerms: boolean, client?: string): Promise<LoginResult> {
    const attempt = (action: AccessAction, outcome: 'ok' | 'refused', organisation: string | null, details?: Record<string, unknown>) =>
      this.accessLog.record({ at: this.clock.now().toISOString(), userId: userId.trim().toLowerCase(), organisation, action, outcome, details, client });
    if (!acceptTerms) {
      await attempt('login_failed', 'refused', null, { reason: 'terms_not_accepted' });
      throw ValidationError.single('acceptTerms', 'terms_not_accepted', 'the terms and conditions must be accepted to log in');
    }
    const accountId = accountIdFor(userId);
    const stream = userStream(accountId);
    const { state } = await this.users.current(stream);
    const verified = await this.verify(state.profile?.passwordHash, password);
    // An unknown user id has no stream to record the attempt in (docs/decisions.md); the access log still has it.
    if (!state.profile) {
      await attempt('login_failed', 'refused', null, { reason: 'unknown_user' });
      throw new AuthenticationError(LOGIN_REFUSED);
    }
    const user = state.profile;
    const now = this.clock.now().toISOString();
    const refusal = loginRefusal(state, verified);
    if (refusal) {
      await this.users.handle(stream, { type: 'RecordLoginFailed', accountId, now, reason: refusal }, this.envelope(user, now));
      await attempt('login_failed', 'refused', user.organisation, { reason: refusal });
      throw new AuthenticationError(LOGIN_REFUSED);
    }
    const { sessionId, token } = SessionStore.newCredentials();
    try {
      await this.users.handle(
        stream,
        { type: 'RecordLoginSucceeded', accountId, now, sessionId, acceptTerms, termsVersion: this.config.TERMS_VERSION },
        this.envelope(user, now),
      );
    } catch (error) {
      // Locked or disabled between our read and the append: refused like any other.
      if (error instanceof InvalidStateError) throw new AuthenticationError(LOGIN_REFUSED);
      throw error;
    }
    const { userId: loginName, organisation, roles, cletsCertified } = user;
    await this.sessions.open(token, { sessionId, accountId, userId: loginName, organisation, roles, cletsCertified, createdAt: now, lastSeenAt: now });
    await attempt('login', 'ok', organisation, { sessionId });
    return { token, expiresAt: new Date(Date.parse(now) + SESSION_ABSOLUTE_TIMEOUT_MS), user };
  }

  /**
   * The signed-in user of a bearer token, touching the session. Refused when the token is
   * unknown, ended or expired, and when the user has since been disabled or locked out
   * (locking does not end sessions by itself). Roles come from the user's current state, so
   * a role change applies at the next request.
   */
  async authenticate(token: string | undefined): Promise<Authenticated> {
    const stored = token ? await this.sessions.find(token) : null;
    if (!stored) throw new AuthenticationError(SESSION_REQUIRED);
    const now = this.clock.now().toISOString();
    const session = touch(stored, now);
    if (!session) {
      // Ended for good once seen expired, so no later clock reading (another replica's) revives it.
      await this.sessions.end(stored.sessionId, now);
      throw new AuthenticationError(SESSION_REQUIRED);
    }
    const { state } = await this.users.current(userStream(stored.accountId));
    if (!state.profile || loginRefusal(state, true)) throw new AuthenticationError(SESSION_REQUIRED);
    await this.sessions.touch(session.sessionId, session.lastSeenAt);
    const { userId, organisation, roles, cletsCertified } = state.profile;
    return { principal: { userId, organisation, roles, cletsCertified }, session: { ...stored, ...session }, user: state.profile };
  }

  async logout({ session, user }: Authenticated, client?: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.users.handle(
      userStream(session.accountId),
      { type: 'RecordLogout', accountId: session.accountId, now, sessionId: session.sessionId },
      this.envelope(user, now),
    );
    await this.sessions.end(session.sessionId, now);
    await this.accessLog.record({
      at: now,
      userId: user.userId,
      organisation: user.organisation,
      action: 'logout',
      outcome: 'ok',
      details: { sessionId: session.sessionId },
      client,
    });
  }

  /** Passwords longer than any valid one are refused unhashed, so a request cannot make argon2 hash megabytes. */
  private async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if ([...password].length > PASSWORD_MAX_LENGTH) return false;
    this.decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return verifyPassword(passwordHash ?? (await this.decoyHash), password);
  }

  /** Login events are the user's own acts: the actor is the user, acting in all their roles. */
  private envelope(user: UserProfile, now: string): CommandEnvelope {
    return {
      commandId: randomUUID(),
      actor: { userId: user.userId, organisation: user.organisation, role: user.roles.join(',') },
      occurredAt: now,
    };
  }
}
