import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { AuthenticationError } from '../identity/authentication-error';
import { ForbiddenError, ValidationError } from '../shared/domain-error';
import { formatError } from './format-error';

/** As Apollo hands a resolver's error to formatError: wrapped in a located GraphQLError. */
function fromResolver(error: Error) {
  const wrapped = new GraphQLError(error.message, { path: ['field'], originalError: error });
  return formatError({ message: error.message, path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, wrapped);
}

describe('errors as clients see them', () => {
  it('gives bad input its code, field, rule and every violation', () => {
    const error = new ValidationError([
      { field: 'acceptTerms', rule: 'terms_not_accepted', message: 'must be accepted' },
      { field: 'userId', rule: 'required', message: 'is required' },
    ]);
    expect(fromResolver(error)).toEqual({
      message: 'acceptTerms: must be accepted; userId: is required',
      path: ['field'],
      extensions: { code: 'BAD_USER_INPUT', field: 'acceptTerms', rule: 'terms_not_accepted', violations: error.violations },
    });
  });

  it('gives other domain errors their code and rule, and authentication errors UNAUTHENTICATED', () => {
    expect(fromResolver(new ForbiddenError('users.manage', 'only an ADMINISTRATOR')).extensions).toEqual({ code: 'FORBIDDEN', rule: 'users.manage' });
    expect(fromResolver(new AuthenticationError('log in')).extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('hides an unexpected error behind a generic message without a stack trace, logging the real one', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const formatted = fromResolver(new Error('relation "sessions" does not exist'));
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('relation "sessions" does not exist'));
    logged.mockRestore();
    expect(formatted).toEqual({ message: 'internal server error; it has been logged', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
