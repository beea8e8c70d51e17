import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Inject, UseGuards } from '@nestjs/common';
import { GqlThrottlerGuard } from '../graphql/gql-throttler.guard';
import type { RequestContext } from '../graphql/request-context';
import { IdentityService } from './identity.service';
import { SessionType, UserType } from './identity.types';
import type { UserProfile } from './user.events';

/** Only the fields a user may see of themself: never the password hash or the stream key. */
function userOf({ userId, displayName, organisation, roles, cletsCertified }: UserProfile): UserType {
  return { userId, displayName, organisation, roles, cletsCertified };
}

@Resolver()
export class IdentityResolver {
  constructor(@Inject(IdentityService) private readonly identity: IdentityService) {}

  /**
   * Nullable on purpose: a failed non-null mutation nulls the whole answer and stops the
   * fields after it, while each aliased login attempt in one request must be answered, and
   * recorded, on its own.
   */
  @Mutation(() => SessionType, {
    nullable: true,
    description: 'Starts a session; the terms and conditions must be accepted at every login. Null with an error when refused.',
  })
  @UseGuards(GqlThrottlerGuard) // password guessing from one address is slowed before lockout bites
  async login(
    @Args('userId', { type: () => String }) userId: string,
    @Args('password', { type: () => String }) password: string,
    @Args('acceptTerms', { type: () => Boolean }) acceptTerms: boolean,
    @Context() context: RequestContext,
  ): Promise<SessionType> {
    const { token, expiresAt, user } = await this.identity.login(userId, password, acceptTerms, context.req.ip);
    return { token, expiresAt, user: userOf(user) };
  }

  @Mutation(() => Boolean, { description: 'Ends the current session; its token is refused from then on.' })
  async logout(@Context() context: RequestContext): Promise<boolean> {
    await this.identity.logout(await context.authenticated(), context.req.ip);
    return true;
  }

  @Query(() => UserType, { description: 'The signed-in user.' })
  async me(@Context() context: RequestContext): Promise<UserType> {
    return userOf((await context.authenticated()).user);
  }
}
