import type { Request } from 'express';
import type { Authenticated, IdentityService } from '../identity/identity.service';

/** What every resolver gets as GraphQL context. */
export interface RequestContext {
  /** The HTTP request, for what is about the client rather than the user (rate limits). */
  req: Request;
  /**
   * The signed-in user, or AuthenticationError. Checked on first use and then remembered, so
   * public fields (login) need no session and a request with many protected fields checks and
   * touches its session once.
   */
  authenticated(): Promise<Authenticated>;
}

export function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

export function requestContext(identity: IdentityService, request: Request): RequestContext {
  let pending: Promise<Authenticated> | undefined;
  return {
    req: request,
    authenticated: () => (pending ??= identity.authenticate(bearerToken(request))),
  };
}
