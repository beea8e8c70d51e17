import { z } from 'zod';
import { FieldViolation, ValidationError } from './domain-error';

/**
 * Turns zod's issues into the registry's FieldViolations, so that every rejection names the
 * field (dotted path) and a stable rule that clients and tests can rely on, whatever wording
 * zod uses in its next release.
 */
export function violationsOf(issues: readonly z.core.$ZodIssue[]): FieldViolation[] {
  return issues.flatMap((issue) => {
    const field = issue.path.map(String).join('.');
    // zod omits `input` for a missing value (we parse with reportInput), which is how an
    // absent required field is told apart from a present but wrong one.
    const missing = !('input' in issue) || issue.input === undefined;
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          field: field ? `${field}.${key}` : key,
          rule: 'unknown_field',
          message: 'is not a field of this record',
        }));
      case 'invalid_type':
        return [
          missing
            ? { field, rule: 'required', message: 'is required' }
            : { field, rule: 'type', message: `must be ${article(issue.expected)}` },
        ];
      case 'invalid_value':
        return [
          missing
            ? { field, rule: 'required', message: `is required (one of ${issue.values.join(', ')})` }
            : { field, rule: 'enum', message: `must be one of ${issue.values.join(', ')}` },
        ];
      case 'too_small':
        return [tooSmall(field, issue.origin, Number(issue.minimum))];
      case 'too_big':
        return [tooBig(field, issue.origin, Number(issue.maximum))];
      case 'custom':
        return [{ field, rule: String(issue.params?.rule ?? 'invalid'), message: issue.message }];
      default:
        return [{ field, rule: 'invalid', message: issue.message }];
    }
  });
}

/** A rule zod cannot express per field (cross-field, or required only for some purposes). */
export type InputRule = (input: unknown) => FieldViolation[];

/**
 * Parses or throws one ValidationError listing every violation, never just the first. Nulls
 * are dropped first: GraphQL clients send null for "not given", and patches use null to clear.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, rules: readonly InputRule[] = []): z.output<S> {
  const clean = withoutNulls(input);
  const result = schema.safeParse(clean, { reportInput: true });
  const violations = [...(result.success ? [] : violationsOf(result.error.issues)), ...rules.flatMap((rule) => rule(clean))];
  if (!result.success || violations.length > 0) throw new ValidationError(violations);
  return result.data;
}

/** The value at a dotted path of unparsed input, or undefined. */
export function valueAt(input: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), input);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** A refinement whose issue carries our rule name (read back by violationsOf). */
export function ruled(rule: string, message: string, path?: string[]) {
  return { message, params: { rule }, ...(path ? { path } : {}) };
}

function article(expected: string): string {
  return expected === 'int' ? 'a whole number' : /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function tooSmall(field: string, origin: string, min: number): FieldViolation {
  if (origin === 'string' && min === 1) return { field, rule: 'required', message: 'is required and must not be blank' };
  if (origin === 'string') return { field, rule: 'min_length', message: `must be at least ${min} characters` };
  if (origin === 'array') return { field, rule: 'min_items', message: `must have at least ${min} item(s)` };
  return { field, rule: 'min', message: `must be at least ${min}` };
}

function tooBig(field: string, origin: string, max: number): FieldViolation {
  if (origin === 'string') return { field, rule: 'max_length', message: `must be at most ${max} characters` };
  if (origin === 'array') return { field, rule: 'max_items', message: `must have at most ${max} item(s)` };
  return { field, rule: 'max', message: `must be at most ${max}` };
}
