import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticationError } from '../identity/authentication-error';
import { DomainError, DomainErrorCode, ValidationError } from '../shared/domain-error';

const STATUS: Record<DomainErrorCode, number> = {
  BAD_USER_INPUT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 423,
  READ_MODEL_BEHIND: 503,
};

/**
 * Domain and session errors of a plain HTTP endpoint as HTTP statuses, with the same code, rule
 * and field a GraphQL client gets in `extensions` (src/graphql/format-error.ts). Anything else
 * goes to Nest's default handler: logged, answered 500 without detail.
 */
@Catch(DomainError, AuthenticationError)
export class HttpDomainErrorFilter implements ExceptionFilter<DomainError | AuthenticationError> {
  catch(error: DomainError | AuthenticationError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof AuthenticationError) {
      response.status(401).setHeader('www-authenticate', 'Bearer').json({ code: error.code, message: error.message });
      return;
    }
    const details = error instanceof ValidationError ? { field: error.field, violations: error.violations } : {};
    response.status(STATUS[error.code]).json({ code: error.code, rule: error.rule, message: error.message, ...details });
  }
}
