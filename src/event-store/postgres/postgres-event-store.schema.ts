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

export const eventStoreSchemaSql = `
CREATE TABLE IF NOT EXISTS es_streams (
  stream   text PRIMARY KEY,
  revision bigint NOT NULL
);

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
  UNIQUE (stream, revision)
);

-- The log is the source of truth: rows are never changed or removed (CJIS audit, DESIGN §9).
CREATE OR REPLACE FUNCTION es_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'es_events is append-only (% refused)', TG_OP USING ERRCODE = 'ES003';
END $$;
DROP TRIGGER IF EXISTS es_events_append_only ON es_events;
CREATE TRIGGER es_events_append_only BEFORE UPDATE OR DELETE ON es_events
  FOR EACH ROW EXECUTE FUNCTION es_forbid_change();
DROP TRIGGER IF EXISTS es_events_no_truncate ON es_events;
CREATE TRIGGER es_events_no_truncate BEFORE TRUNCATE ON es_events
  FOR EACH STATEMENT EXECUTE FUNCTION es_forbid_change();

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

-- One round trip per append; the row lock on es_streams serialises writers of one stream only.
CREATE OR REPLACE FUNCTION es_append(
  p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) RETURNS TABLE (next_revision bigint, last_position bigint, replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
  n int := cardinality(p_ids);
  cur bigint;
  base_position bigint;
  prev record;
BEGIN
  -- No look for an earlier append of these ids first: a retry either fails the revision check
  -- below (answered from es_existing there) or trips the unique event id (the caller asks
  -- es_existing then). Keeping the lookup off the common path keeps appends cheap.
  IF p_expected = 'no_stream' THEN
    INSERT INTO es_streams VALUES (p_stream, n - 1) ON CONFLICT DO NOTHING RETURNING revision INTO cur;
  ELSIF p_expected = 'any' THEN
    INSERT INTO es_streams VALUES (p_stream, n - 1)
      ON CONFLICT (stream) DO UPDATE SET revision = es_streams.revision + n RETURNING revision INTO cur;
  ELSIF p_expected = 'exists' THEN
    UPDATE es_streams SET revision = revision + n WHERE stream = p_stream RETURNING revision INTO cur;
  ELSE
    UPDATE es_streams SET revision = revision + n
      WHERE stream = p_stream AND revision = p_expected::bigint RETURNING revision INTO cur;
  END IF;

  IF cur IS NULL THEN
    -- A concurrent retry of the same command may have won the race: that is not a conflict.
    SELECT * INTO prev FROM es_existing(p_stream, p_ids);
    IF FOUND THEN
      RETURN QUERY SELECT prev.next_revision, prev.last_position, true;
      RETURN;
    END IF;
    SELECT revision INTO cur FROM es_streams WHERE stream = p_stream;
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'ES001', DETAIL = coalesce(cur::text, 'no_stream');
  END IF;

  -- Several appends in one transaction continue after the ones already made.
  base_position := pg_current_xact_id()::text::bigint * ${POSITION_TXID_FACTOR};
  SELECT coalesce(max(position) + 1, base_position) INTO base_position
    FROM es_events WHERE position >= base_position AND position < base_position + ${POSITION_TXID_FACTOR};

  INSERT INTO es_events (position, id, stream, revision, type, data, metadata)
  SELECT base_position + i - 1, p_ids[i], p_stream, cur - n + i, p_types[i], p_data[i], p_metadata[i]
    FROM generate_subscripts(p_ids, 1) AS i;

  RETURN QUERY SELECT cur, base_position + n - 1, false;
END $$;
`;
