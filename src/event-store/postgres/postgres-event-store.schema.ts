import { appendOnlySql } from '../../postgres/append-only';

/**
 * Schema of the PostgreSQL event store. Idempotent DDL, applied under an advisory lock at
 * start-up by every process, so it needs no separate migration step.
 *
 * Why positions are `txid * 65536 + index` (DESIGN.md §2, "never skip a late commit"):
 * a plain sequence hands out numbers in call order, not commit order, so a reader that has
 * passed position 11 would never see a position-10 transaction that commits later. Here the
 * position derives from the writing transaction's id, and readers only deliver positions
 * below the snapshot's xmin (every transaction below it has finished). A transaction still in
 * flight has a txid at or above xmin, so its events can only ever land above what has been
 * delivered. Appends are not serialised: concurrent writers still share group commit.
 */
export const POSITION_TXID_FACTOR = 65536n;

/**
 * One append, one prepared statement, one round trip. The CTE checks the expected revision
 * against the stream's last one (no row: refused, and the adapter tells a replay from a
 * conflict); a writer racing for the same revision is stopped by es_events_stream_revision_key.
 * Several appends in one transaction continue after the positions already taken.
 * Parameters: stream, mode (any|exists|no_stream|exact), exact revision, ids, types, and data and
 * metadata each as one JSON array (one parse, none of a text[] literal's escaping).
 */
export const appendSql = `
WITH cur AS (SELECT es_revision($1) AS r),
     ok AS (
       SELECT coalesce(r, -1) AS r FROM cur
        WHERE CASE $2::text WHEN 'any' THEN TRUE
                            WHEN 'exists' THEN r IS NOT NULL
                            WHEN 'no_stream' THEN r IS NULL
                            ELSE r IS NOT DISTINCT FROM $3::bigint END),
     tx AS (SELECT pg_current_xact_id()::text::bigint * ${POSITION_TXID_FACTOR} AS p),
     base AS (
       SELECT coalesce((SELECT max(position) + 1 FROM es_events WHERE position >= tx.p AND position < tx.p + ${POSITION_TXID_FACTOR}), tx.p) AS p
         FROM tx)
INSERT INTO es_events (position, id, stream, revision, type, data, metadata)
SELECT base.p + i - 1, ($4::uuid[])[i], $1, ok.r + i, ($5::text[])[i], $6::jsonb -> (i - 1), $7::jsonb -> (i - 1)
  FROM ok, base, generate_subscripts($4::uuid[], 1) AS i
RETURNING revision, position`;

export const eventStoreSchemaSql = `
CREATE TABLE IF NOT EXISTS es_events (
  position    bigint PRIMARY KEY,
  id          uuid NOT NULL UNIQUE,
  stream      text NOT NULL,
  revision    bigint NOT NULL,
  type        text NOT NULL,
  data        jsonb NOT NULL,
  metadata    jsonb NOT NULL,
  -- Milliseconds, like JavaScript dates, so "as of this event's time" includes the event.
  recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  -- Also the optimistic lock: two writers of one revision cannot both commit.
  CONSTRAINT es_events_stream_revision_key UNIQUE (stream, revision)
);

-- The log is the source of truth: rows are never changed or removed (CJIS audit, DESIGN §9).
${appendOnlySql('es_events')}
-- Highest position every reader may deliver: all transactions below xmin have finished.
CREATE OR REPLACE FUNCTION es_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint * ${POSITION_TXID_FACTOR}
$$;

-- Result of an earlier append of the same event ids (idempotent retry), or no row.
CREATE OR REPLACE FUNCTION es_existing(p_stream text, p_ids uuid[])
RETURNS TABLE (next_revision bigint, last_position bigint) LANGUAGE plpgsql AS $$
DECLARE
  found_count int;
  other_stream text;
BEGIN
  SELECT count(*), min(stream) FILTER (WHERE stream <> p_stream)
    INTO found_count, other_stream FROM es_events WHERE id = ANY (p_ids);
  IF found_count = 0 THEN
    RETURN;
  END IF;
  IF other_stream IS NOT NULL OR found_count <> cardinality(p_ids) THEN
    RAISE EXCEPTION 'event ids already used differently' USING ERRCODE = 'ES002', DETAIL = coalesce(other_stream, p_stream);
  END IF;
  RETURN QUERY SELECT max(e.revision), max(e.position) FROM es_events e WHERE e.id = ANY (p_ids);
END $$;

CREATE OR REPLACE FUNCTION es_revision(p_stream text) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT max(revision) FROM es_events WHERE stream = p_stream
$$;
`;
