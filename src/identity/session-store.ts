import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Role } from '../access/access-policy';
import { runSchemaDdl } from '../postgres/schema-ddl';
import type { Session } from './session';

/**
 * Login sessions in PostgreSQL, shared by every api replica. Only the SHA-256 of a token is
 * stored: a leaked table or backup holds nothing a caller could present. A plain hash (no
 * salt, no argon2) is enough because the token is 256 random bits, not a guessable password.
 */
const sessionsSql = `
CREATE TABLE IF NOT EXISTS sessions (
  session_id      uuid PRIMARY KEY,
  token_sha256    bytea NOT NULL UNIQUE,
  account_id      uuid NOT NULL,
  user_id         text NOT NULL,
  organisation    text NOT NULL,
  roles           text[] NOT NULL,
  clets_certified boolean NOT NULL,
  created_at      timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  ended_at        timestamptz
);
CREATE INDEX IF NOT EXISTS sessions_open_by_account ON sessions (account_id) WHERE ended_at IS NULL;
`;

export interface StoredSession extends Session {
  accountId: string;
}

interface SessionRow {
  session_id: string;
  account_id: string;
  user_id: string;
  organisation: string;
  roles: Role[];
  clets_certified: boolean;
  created_at: Date;
  last_seen_at: Date;
}

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class SessionStore {
  constructor(private readonly pool: Pool) {}

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, sessionsSql);
  }

  /** A new session id (for the UserLoggedIn event) and the bearer token only the client will hold. */
  static newCredentials(): { sessionId: string; token: string } {
    return { sessionId: randomUUID(), token: randomBytes(32).toString('base64url') };
  }

  async open(token: string, session: StoredSession): Promise<void> {
    await this.pool.query(
      `INSERT INTO sessions (session_id, token_sha256, account_id, user_id, organisation, roles, clets_certified, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        session.sessionId,
        tokenHash(token),
        session.accountId,
        session.userId,
        session.organisation,
        session.roles,
        session.cletsCertified,
        session.createdAt,
        session.lastSeenAt,
      ],
    );
  }

  /** The session of a token unless it was ended; expiry is for the caller to judge (session.ts). */
  async find(token: string): Promise<StoredSession | null> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT session_id, account_id, user_id, organisation, roles, clets_certified, created_at, last_seen_at
         FROM sessions WHERE token_sha256 = $1 AND ended_at IS NULL`,
      [tokenHash(token)],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      sessionId: row.session_id,
      accountId: row.account_id,
      userId: row.user_id,
      organisation: row.organisation,
      roles: row.roles,
      cletsCertified: row.clets_certified,
      createdAt: row.created_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
    };
  }

  /** Never moves last_seen_at back: a slow request finishing after a newer one must not shorten the session. */
  async touch(sessionId: string, lastSeenAt: string): Promise<void> {
    await this.pool.query('UPDATE sessions SET last_seen_at = $2 WHERE session_id = $1 AND last_seen_at < $2', [sessionId, lastSeenAt]);
  }

  async end(sessionId: string, at: string): Promise<void> {
    await this.pool.query('UPDATE sessions SET ended_at = $2 WHERE session_id = $1 AND ended_at IS NULL', [sessionId, at]);
  }
}
