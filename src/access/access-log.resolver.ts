import { Inject } from '@nestjs/common';
import { Args, Context, Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CLOCK, Clock } from '../app/clock';
import type { RequestContext } from '../graphql/request-context';
import { FieldViolation, ForbiddenError, ValidationError } from '../shared/domain-error';
import { ACCESS_ACTIONS, AccessAction, AccessLog } from './access-log';
import { ACCESS_LOG } from './access.tokens';
import { accessLogScope } from './access-policy';

@ObjectType('AccessLogEntry')
class AccessLogEntryType {
  @Field() at!: string;
  @Field() userId!: string;
  @Field(() => String, { nullable: true }) organisation!: string | null;
  @Field() action!: string;
  @Field() outcome!: string;
  @Field(() => String, { nullable: true }) target!: string | null;
  @Field(() => String, { nullable: true, description: 'JSON: the search criteria, the refusal reason, …' }) details!: string | null;
  @Field(() => String, { nullable: true }) client!: string | null;
}

function instant(field: string, value: string | undefined, violations: FieldViolation[]): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) violations.push({ field, rule: 'instant_format', message: 'must be an ISO 8601 instant' });
  return at;
}

/** The access log for auditors (DESIGN §9): what the policy lets them see; reading it is logged too. */
@Resolver()
export class AccessLogResolver {
  constructor(
    @Inject(ACCESS_LOG) private readonly log: AccessLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Query(() => [AccessLogEntryType], { description: 'Newest first; administrators see their organisation, the registry operator all.' })
  async accessLog(
    @Context() context: RequestContext,
    @Args('from', { type: () => String, nullable: true }) from?: string,
    @Args('to', { type: () => String, nullable: true }) to?: string,
    @Args('userId', { type: () => String, nullable: true }) userId?: string,
    @Args('action', { type: () => String, nullable: true }) action?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
  ): Promise<AccessLogEntryType[]> {
    const { principal } = await context.authenticated();
    const scope = accessLogScope(principal);
    if (!scope) throw new ForbiddenError('access_log.view', 'only administrators and the registry operator may read the access log');
    const violations: FieldViolation[] = [];
    const criteria = { from: instant('from', from, violations), to: instant('to', to, violations), userId, action: action as AccessAction | undefined };
    if (action !== undefined && !(ACCESS_ACTIONS as readonly string[]).includes(action)) {
      violations.push({ field: 'action', rule: 'one_of', message: `must be one of ${ACCESS_ACTIONS.join(', ')}` });
    }
    if (limit !== undefined && (limit < 1 || limit > 1000)) violations.push({ field: 'limit', rule: 'range', message: 'must be 1 to 1000' });
    if (violations.length > 0) throw new ValidationError(violations);
    const entries = await this.log.entries({ ...scope, ...criteria, limit });
    await this.log.record({
      at: this.clock.now().toISOString(),
      userId: principal.userId,
      organisation: principal.organisation,
      action: 'access_log_view',
      outcome: 'ok',
      details: { from, to, userId, action, limit },
      client: context.req.ip,
    });
    return entries.map((entry) => ({
      ...entry,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
      client: entry.client ?? null,
    }));
  }
}
