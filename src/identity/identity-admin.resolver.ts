import { Inject, UseGuards } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GqlThrottlerGuard } from '../graphql/gql-throttler.guard';
import type { RequestContext } from '../graphql/request-context';
import { AdminRequest, ExistingUser, IdentityAdminService } from './identity-admin.service';
import {
  ChangeCarposSettingArgs,
  ChangePasswordArgs,
  ChangeUserRolesArgs,
  CreateOrganisationArgs,
  CreateUserArgs,
  DisableUserArgs,
  ManagedUserType,
  OrganisationType,
  ResetPasswordArgs,
  UserArgs,
  UserCommandArgs,
} from './identity.types';
import type { OrganisationState } from './organisation.events';

/** An allow-list, so the password hash and the stream key never reach a client. */
function managedUserOf({ profile, disabled, lockedOut }: ExistingUser): ManagedUserType {
  const { userId, displayName, organisation, roles, cletsCertified } = profile;
  return { userId, displayName, organisation, roles, cletsCertified, disabled, lockedOut };
}

/** Called only with the state a successful command left, so the organisation exists. */
function organisationOf({ organisation }: OrganisationState): OrganisationType {
  const { ori, name, kind, county, carposEnabled } = organisation!;
  return { ori, name, kind, county: county ?? null, carposEnabled };
}

async function adminRequest(context: RequestContext, idempotencyKey: string): Promise<AdminRequest> {
  return { principal: (await context.authenticated()).principal, idempotencyKey, client: context.req.ip };
}

/** Administration of organisations and users (DESIGN §4, §12); the rules live in IdentityAdminService. */
@Resolver()
export class IdentityAdminResolver {
  constructor(@Inject(IdentityAdminService) private readonly admin: IdentityAdminService) {}

  @Mutation(() => OrganisationType, { description: 'SYSTEM_ADMINISTRATOR: registers a court or agency.' })
  async createOrganization(@Args() { input, idempotencyKey }: CreateOrganisationArgs, @Context() context: RequestContext): Promise<OrganisationType> {
    return organisationOf(await this.admin.createOrganisation(await adminRequest(context, idempotencyKey), input));
  }

  @Mutation(() => OrganisationType, { description: 'SYSTEM_ADMINISTRATOR: whether the organisation’s orders are forwarded to DOJ (CARPOS).' })
  async changeCarposSetting(
    @Args() { ori, carposEnabled, idempotencyKey }: ChangeCarposSettingArgs,
    @Context() context: RequestContext,
  ): Promise<OrganisationType> {
    return organisationOf(await this.admin.changeCarposSetting(await adminRequest(context, idempotencyKey), ori, carposEnabled));
  }

  @Mutation(() => ManagedUserType, {
    description: 'ADMINISTRATOR of the organisation; a SYSTEM_ADMINISTRATOR creates administrators of any organisation.',
  })
  async createUser(@Args() { input, idempotencyKey }: CreateUserArgs, @Context() context: RequestContext): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.createUser(await adminRequest(context, idempotencyKey), input));
  }

  @Mutation(() => ManagedUserType, { description: 'ADMINISTRATOR of the user’s organisation; effective at the user’s next request.' })
  async changeUserRoles(
    @Args() { userId, roles, cletsCertified, idempotencyKey }: ChangeUserRolesArgs,
    @Context() context: RequestContext,
  ): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.changeUserRoles(await adminRequest(context, idempotencyKey), userId, roles, cletsCertified));
  }

  @Mutation(() => ManagedUserType, { description: 'ADMINISTRATOR of the user’s organisation; the user’s open sessions are refused from the next request.' })
  async disableUser(@Args() { userId, reason, idempotencyKey }: DisableUserArgs, @Context() context: RequestContext): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.disableUser(await adminRequest(context, idempotencyKey), userId, reason));
  }

  @Mutation(() => ManagedUserType, { description: 'ADMINISTRATOR of the user’s organisation.' })
  async enableUser(@Args() { userId, idempotencyKey }: UserCommandArgs, @Context() context: RequestContext): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.enableUser(await adminRequest(context, idempotencyKey), userId));
  }

  @Mutation(() => ManagedUserType, { description: 'ADMINISTRATOR of the user’s organisation: releases an account locked by failed logins.' })
  async unlockUser(@Args() { userId, idempotencyKey }: UserCommandArgs, @Context() context: RequestContext): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.unlockUser(await adminRequest(context, idempotencyKey), userId));
  }

  @Mutation(() => ManagedUserType, { description: 'The signed-in user’s own password, after checking the current one.' })
  @UseGuards(GqlThrottlerGuard) // guessing the current password through a stolen session is slowed like login
  async changePassword(
    @Args() { currentPassword, newPassword, idempotencyKey }: ChangePasswordArgs,
    @Context() context: RequestContext,
  ): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.changePassword(await adminRequest(context, idempotencyKey), currentPassword, newPassword));
  }

  @Mutation(() => ManagedUserType, { description: 'ADMINISTRATOR of the user’s organisation: sets a new password for another user.' })
  async resetPassword(
    @Args() { userId, newPassword, idempotencyKey }: ResetPasswordArgs,
    @Context() context: RequestContext,
  ): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.resetPassword(await adminRequest(context, idempotencyKey), userId, newPassword));
  }

  @Query(() => ManagedUserType, {
    description: 'ADMINISTRATOR of the user’s organisation, or SYSTEM_ADMINISTRATOR. Users of other organisations answer NOT_FOUND, like missing ones.',
  })
  async user(@Args() { userId }: UserArgs, @Context() context: RequestContext): Promise<ManagedUserType> {
    return managedUserOf(await this.admin.user((await context.authenticated()).principal, userId));
  }
}
