/**
 * DDL that makes a table append-only: UPDATE, DELETE and TRUNCATE are refused by trigger,
 * whichever role the application connects as (CJIS audit records; the event log).
 */
export function appendOnlySql(table: string): string {
  return `
CREATE OR REPLACE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'ES003';
END $$;
DROP TRIGGER IF EXISTS ${table}_append_only ON ${table};
CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table};
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();
`;
}
