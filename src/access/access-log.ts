import type { Pool } from 'pg';
import { appendOnlySql } from '../postgres/append-only';
import type { Principal } from './access-policy';
import { runSchemaDdl } from '../postgres/schema-ddl';

/**
 * The access log (DESIGN §9, CJIS): every login, failed login, logout, search, order view,
 * history view, image download and administrative action, append-only and kept at least a
 * year (the application never deletes; retention beyond that is an operations job).
 */
export const ACCESS_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'search',
  'order_view',
  'history_view',
  'image_download',
  'admin',
  'access_log_view',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export interface AccessEntry {
  at: string;
  /** The login name, also for a failed attempt under a name that does not exist. */
  userId: string;
  organisation: string | null;
  action: AccessAction;
  outcome: 'ok' | 'refused';
  /** What was looked at or changed: an order id, a user id, a search's criteria in details. */
  target?: string | null;
  details?: Record<string, unknown> | null;
  /** The client's address as the api saw it. */
  client?: string | null;
}

export interface AccessLogQuery {
  /** 'ALL' for the registry operator; otherwise the organisations whose entries may be read. */
  organisations: 'ALL' | readonly string[];
  from?: Date;
  to?: Date;
  userId?: string;
  action?: AccessAction;
  limit?: number;
}

const schemaSql = `
CREATE TABLE IF NOT EXISTS access_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL,
  user_id      text NOT NULL,
  organisation text,
  action       text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('ok', 'refused')),
  target       text,
  details      jsonb,
  client       text
);
CREATE INDEX IF NOT EXISTS access_log_by_time ON access_log (at);
CREATE INDEX IF NOT EXISTS access_log_by_organisation ON access_log (organisation, at);
${appendOnlySql('access_log')}
`;

export class AccessLog {
  constructor(private readonly pool: Pool) {}

  static async ensureSchema(pool: Pool): Promise<void> {
    await runSchemaDdl(pool, schemaSql);
  }

  /** A signed-in user's access, stamped with `now` and the address they came from. */
  recordFor(
    caller: { principal: Pick<Principal, 'userId' | 'organisation'>; client?: string },
    now: Date,
    entry: Pick<AccessEntry, 'action' | 'outcome' | 'target' | 'details'>,
  ): Promise<void> {
    const { userId, organisation } = caller.principal;
    return this.record({ ...entry, at: now.toISOString(), userId, organisation, client: caller.client });
  }

  async record(entry: AccessEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO access_log (at, user_id, organisation, action, outcome, target, details, client)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [entry.at, entry.userId, entry.organisation, entry.action, entry.outcome, entry.target ?? null, entry.details ?? null, entry.client ?? null],
    );
  }

  /** Newest first. */
  async entries(query: AccessLogQuery): Promise<AccessEntry[]> {
    const { rows } = await this.pool.query(
      `SELECT at, user_id, organisation, action, outcome, target, details, client FROM access_log
        WHERE ($1::text[] IS NULL OR organisation = ANY ($1::text[]))
          AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
          AND ($4::text IS NULL OR user_id = $4) AND ($5::text IS NULL OR action = $5)
        ORDER BY at DESC, id DESC LIMIT $6`,
      [
        query.organisations === 'ALL' ? null : query.organisations,
        query.from ?? null,
        query.to ?? null,
        query.userId ?? null,
        query.action ?? null,
        Math.min(query.limit ?? 100, 1000),
      ],
    );
    return rows.map((row) => ({
      at: (row.at as Date).toISOString(),
      userId: row.user_id,
      organisation: row.organisation,
      action: row.action,
      outcome: row.outcome,
      target: row.target,
      details: row.details,
      client: row.client,
    }));
  }
}
