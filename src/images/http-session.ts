import { ArgumentsHost, CanActivate, Catch, ExceptionFilter, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { bearerToken } from '../graphql/request-context';
import { AuthenticationError } from '../identity/authentication-error';
import { Authenticated, IdentityService } from '../identity/identity.service';
import { DomainError, DomainErrorCode, ValidationError } from '../shared/domain-error';
import type { Caller } from '../orders/order.service';
import { TOO_LARGE, UNSUPPORTED_TYPE } from './image-receiver';
import { RANGE_NOT_SATISFIABLE } from './image.service';

/**
 * The plain HTTP endpoints (image upload and download, report CSVs) with the same session as
 * GraphQL: the same `Authorization: Bearer <token>`, the same per-request check, and the same
 * errors as JSON `{ code, message, field?, rule? }` with the HTTP status that fits.
 */

const SESSION = Symbol('session');
type SessionRequest = Request & { [SESSION]?: Authenticated };

/** Checks the session before the handler runs, so nothing of the body is read for a stranger. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(@Inject(IdentityService) private readonly identity: IdentityService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    request[SESSION] = await this.identity.authenticate(bearerToken(request));
    return true;
  }
}

/** The signed-in caller of a request that passed SessionGuard. */
export function callerOf(request: Request): Caller {
  const authenticated = (request as SessionRequest)[SESSION];
  if (!authenticated) throw new Error('callerOf needs a route behind SessionGuard');
  return { principal: authenticated.principal, client: request.ip };
}

const STATUS: Record<DomainErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 423,
  FORBIDDEN: 403,
  READ_MODEL_BEHIND: 503,
};
/** Refusals that HTTP has a status of its own for. */
const STATUS_BY_RULE: Record<string, number> = { [TOO_LARGE]: 413, [UNSUPPORTED_TYPE]: 415, [RANGE_NOT_SATISFIABLE]: 416 };

const logger = new Logger('HTTP');

/** Maps errors as the GraphQL edge does (format-error.ts): domain errors keep their words, anything else is logged and hidden. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      // Failed while streaming (a chunk that did not verify): cut the body short rather than end it as if complete.
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      response.destroy();
      return;
    }
    if (error instanceof AuthenticationError) {
      response.status(401).setHeader('WWW-Authenticate', 'Bearer').json({ code: error.code, message: error.message });
    } else if (error instanceof ValidationError) {
      const { code, message, field, rule, violations } = error;
      response.status(STATUS_BY_RULE[rule] ?? STATUS[code]).json({ code, message, field, rule, violations });
    } else if (error instanceof DomainError) {
      response.status(STATUS[error.code]).json({ code: error.code, message: error.message, rule: error.rule });
    } else {
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      response.status(500).json({ code: 'INTERNAL_SERVER_ERROR', message: 'internal server error; it has been logged' });
    }
  }
}
