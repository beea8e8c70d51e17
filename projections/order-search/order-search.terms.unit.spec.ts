import { parseTerm, termCondition } from './order-search.terms';

describe('search term rules (CCPOR user guide p. 2-16)', () => {
  it('matches a term without % literally and whole-value, underscores included', () => {
    expect(parseTerm('M__SE')).toEqual({ kind: 'exact', value: 'M__SE' });
    expect(parseTerm('MOUSE')).toEqual({ kind: 'exact', value: 'MOUSE' });
  });

  it('makes % a wildcard and, in the same term, _ a single-character wildcard', () => {
    expect(parseTerm('M%')).toEqual({ kind: 'like', pattern: 'M%' });
    expect(parseTerm('%SE')).toEqual({ kind: 'like', pattern: '%SE' });
    expect(parseTerm('M__SE%')).toEqual({ kind: 'like', pattern: 'M__SE%' });
  });

  it('keeps * and ? as ordinary characters', () => {
    expect(parseTerm('M*SE')).toEqual({ kind: 'exact', value: 'M*SE' });
    expect(parseTerm('M?%')).toEqual({ kind: 'like', pattern: 'M?%' });
  });

  it("escapes LIKE's escape character so a backslash matches itself", () => {
    expect(parseTerm('O\\B%')).toEqual({ kind: 'like', pattern: 'O\\\\B%' });
    expect(parseTerm('O\\B')).toEqual({ kind: 'exact', value: 'O\\B' });
  });

  it('treats a blank term as no criterion and trims the rest', () => {
    expect(parseTerm(undefined)).toBeUndefined();
    expect(parseTerm('   ')).toBeUndefined();
    expect(parseTerm('  Mouse ')).toEqual({ kind: 'exact', value: 'Mouse' });
  });

  it('binds the term as a parameter, lower-cased by PostgreSQL, never as SQL text', () => {
    expect(termCondition('p.last_key', { kind: 'exact', value: "O'Brien" }, 3)).toEqual({
      sql: 'p.last_key = lower($3)',
      value: "O'Brien",
    });
    expect(termCondition('name_key', { kind: 'like', pattern: "O'%" }, 1)).toEqual({
      sql: "name_key LIKE lower($1) ESCAPE '\\'",
      value: "O'%",
    });
  });
});
