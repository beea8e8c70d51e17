import { ValidationPipe } from '@nestjs/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import { FieldViolation, ValidationError } from '../shared/domain-error';

/**
 * class-validator's findings as the registry's own ValidationError, so a GraphQL input refused
 * at the edge looks exactly like one refused by a decider: BAD_USER_INPUT naming the field
 * (dotted path) and the rule (the constraint's name, e.g. `isUuid`, `maxLength`).
 */
export function toValidationError(errors: readonly ClassValidatorError[], parent = ''): ValidationError {
  return new ValidationError(violationsOf(errors, parent));
}

function violationsOf(errors: readonly ClassValidatorError[], parent: string): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...violationsOf(error.children ?? [], field)];
  });
}

/**
 * Validates every class-typed GraphQL argument (input types decorated with class-validator).
 * transform is off: resolvers get the arguments exactly as GraphQL coerced them, so an
 * explicit null (clear this field) stays distinguishable from an absent field (leave it).
 */
export function inputValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: false,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => toValidationError(errors),
  });
}
