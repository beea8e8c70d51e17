import { Logger } from '@nestjs/common';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ThrottlerException } from '@nestjs/throttler';
import { AuthenticationError } from '../identity/authentication-error';
import { DomainError, ValidationError } from '../shared/domain-error';

/** Apollo's own codes for a malformed request: the client's fault, safe to show as they are. */
const CLIENT_REQUEST_CODES: ReadonlySet<unknown> = new Set([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

const logger = new Logger('GraphQL');

/**
 * The one place errors leave the api (DESIGN §12): domain errors keep their message (it names
 * the field and the rule) with `extensions.code`, plus `field`, `rule` and every violation
 * for bad input. Anything unexpected is logged here and answered with a generic message, so
 * no SQL, stack or internal detail reaches a client. Extensions are rebuilt, never copied,
 * which also drops any stacktrace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { locations, path } = formatted;
  if (original instanceof ValidationError) {
    const { code, field, rule, violations } = original;
    return { message: original.message, locations, path, extensions: { code, field, rule, violations } };
  }
  if (original instanceof DomainError) {
    return { message: original.message, locations, path, extensions: { code: original.code, rule: original.rule } };
  }
  if (original instanceof AuthenticationError) {
    return { message: original.message, locations, path, extensions: { code: original.code } };
  }
  if (original instanceof ThrottlerException) {
    return { message: 'too many attempts from this address; wait a minute and try again', locations, path, extensions: { code: 'TOO_MANY_REQUESTS' } };
  }
  const code = formatted.extensions?.code;
  if (CLIENT_REQUEST_CODES.has(code)) return { message: formatted.message, locations, path, extensions: { code } };
  logger.error(original instanceof Error ? (original.stack ?? original.message) : String(original));
  return {
    message: 'internal server error; it has been logged',
    locations,
    path,
    extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
  };
}
