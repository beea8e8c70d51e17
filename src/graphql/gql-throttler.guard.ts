import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { RequestContext } from './request-context';

/**
 * @nestjs/throttler for GraphQL fields: the HTTP request comes from the GraphQL context. The
 * guard runs per resolved field, so each aliased login in one request counts as an attempt.
 */
@Injectable()
export class GqlThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): { req: Request; res: Response } {
    const { req } = GqlExecutionContext.create(context).getContext<RequestContext>();
    return { req, res: req.res! };
  }
}
