/**
 * The CCPOR search term rules (DESIGN §5, user guide p. 2-16/2-17), as pure translation:
 * - case-insensitive;
 * - `%` matches any run of characters;
 * - `_` matches one character, but only in a term that contains a `%`; in a term without `%`
 *   the whole term is taken literally and must equal the whole value (`M__SE` finds only a
 *   person actually named M__SE);
 * - `*` and `?` are ordinary characters (they are not LIKE wildcards, so nothing to do);
 * - every other character, LIKE's escape character `\` included, stands for itself.
 */
export type SearchTerm =
  /** Whole-value comparison with a lower-cased column. */
  | { kind: 'exact'; value: string }
  /** A LIKE pattern using `\` as its escape character, for a lower-cased column. */
  | { kind: 'like'; pattern: string };

/**
 * Lower-casing is left to PostgreSQL (`lower($n)` in the SQL), so the term is folded exactly as
 * the stored values are, whatever the characters. Returns undefined for a blank term: a form
 * field left empty is no criterion.
 */
export function parseTerm(raw: string | undefined): SearchTerm | undefined {
  const term = raw?.trim();
  if (!term) return undefined;
  if (!term.includes('%')) return { kind: 'exact', value: term };
  return { kind: 'like', pattern: term.replace(/\\/g, '\\\\') };
}

/**
 * SQL condition on `column` (already lower-cased), with the term bound as parameter `$n`.
 * The value for that parameter is returned beside it; the term never becomes SQL text.
 */
export function termCondition(column: string, term: SearchTerm, parameter: number): { sql: string; value: string } {
  return term.kind === 'exact'
    ? { sql: `${column} = lower($${parameter})`, value: term.value }
    : { sql: `${column} LIKE lower($${parameter}) ESCAPE '\\'`, value: term.pattern };
}
