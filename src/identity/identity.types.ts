import { applyDecorators } from '@nestjs/common';
import { ArgsType, Field, GraphQLISODateTime, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { LOGIN_NAME_PATTERN, LOGIN_NAME_RULE } from './user.commands';
import { ArrayMinSize, IsIn, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Role, ROLES } from '../access/access-policy';
import { IdempotentArgs } from '../graphql/idempotent-args';
import { ORGANISATION_KINDS, OrganisationKind } from './organisation.events';

/** The policy's roles as a GraphQL enum, built from ROLES so the two never drift apart. */
const RoleEnum = Object.fromEntries(ROLES.map((role) => [role, role])) as { [R in Role]: R };
registerEnumType(RoleEnum, { name: 'Role', description: 'A user role (DESIGN §4).' });

@ObjectType('User', { description: 'A registry user as they see themselves.' })
export class UserType {
  @Field(() => String, { description: 'The login name (lower case).' })
  userId!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: 'ORI of the user’s court or agency.' })
  organisation!: string;

  @Field(() => [RoleEnum])
  roles!: Role[];

  @Field(() => Boolean)
  cletsCertified!: boolean;
}

@ObjectType('Session', { description: 'A login session. Send the token as `Authorization: Bearer <token>`.' })
export class SessionType {
  @Field(() => String, { description: 'Shown only here; the registry keeps only its hash.' })
  token!: string;

  @Field(() => GraphQLISODateTime, { description: 'The absolute end, 12 hours after login; 30 minutes without a request end it sooner.' })
  expiresAt!: Date;

  @Field(() => UserType)
  user!: UserType;
}

@ObjectType('ManagedUser', { description: 'A registry user as their administrators see them.' })
export class ManagedUserType extends UserType {
  @Field(() => Boolean, { description: 'Disabled users cannot log in, and their open sessions are refused.' })
  disabled!: boolean;

  @Field(() => Boolean, { description: 'Locked after five failed logins in 15 minutes, until an ADMINISTRATOR unlocks the account.' })
  lockedOut!: boolean;
}

const OrganisationKindEnum = Object.fromEntries(ORGANISATION_KINDS.map((kind) => [kind, kind])) as { [K in OrganisationKind]: K };
registerEnumType(OrganisationKindEnum, { name: 'OrganizationKind', description: 'A court, a tribal court, a law enforcement agency, or the registry operator.' });

/** The registry operator exists from the first start (identity.bootstrap.ts); nobody creates another. */
const CREATABLE_KINDS: readonly OrganisationKind[] = ['SUPERIOR_COURT', 'TRIBAL_COURT', 'LAW_ENFORCEMENT'];

@ObjectType('Organization', { description: 'A court or agency, keyed by its NCIC ORI.' })
export class OrganisationType {
  @Field(() => String)
  ori!: string;

  @Field(() => String)
  name!: string;

  @Field(() => OrganisationKindEnum)
  kind!: OrganisationKind;

  @Field(() => String, { nullable: true })
  county!: string | null;

  @Field(() => Boolean, { description: 'Whether the registry forwards its orders to DOJ (CARPOS).' })
  carposEnabled!: boolean;
}

// ---- arguments of the administrative fields ----------------------------------------------------
// Shape only, checked before anything runs so malformed input is BAD_USER_INPUT naming the field;
// the deciders still judge everything (user.commands.ts, organisation.commands.ts).

/** The deciders' login-name rule (user.commands.ts), in any case: login names are case-insensitive. */
const UserIdField = (description = 'The login name (case-insensitive).') =>
  applyDecorators(
    Field(() => String, { description }),
    Matches(new RegExp(LOGIN_NAME_PATTERN.source, 'i'), { message: LOGIN_NAME_RULE }),
  );

const OriField = (description = 'NCIC ORI: 9 letters and digits.') =>
  applyDecorators(Field(() => String, { description }), Matches(/^[A-Za-z0-9]{9}$/, { message: 'must be a 9-character ORI of letters and digits' }));

const RolesField = () =>
  applyDecorators(
    Field(() => [RoleEnum]),
    ArrayMinSize(1, { message: 'must hold at least one role' }),
    IsIn(ROLES, { each: true, message: `must each be one of ${ROLES.join(', ')}` }),
  );

/**
 * Only a bound, so a request cannot make argon2 hash megabytes; far above any valid password,
 * whose rules (password-policy.ts, counted in code points after NFKC) are checked by the service.
 */
const PasswordField = (description: string) =>
  applyDecorators(Field(() => String, { description }), MaxLength(1024, { message: 'is far longer than any valid password' }));

@InputType('CreateOrganizationInput')
export class CreateOrganisationInput {
  @OriField()
  ori!: string;

  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => OrganisationKindEnum)
  @IsIn(CREATABLE_KINDS, { message: `must be one of ${CREATABLE_KINDS.join(', ')}` })
  kind!: OrganisationKind;

  @Field(() => String, { nullable: true, description: 'Required for SUPERIOR_COURT and TRIBAL_COURT.' })
  @IsOptional()
  @Length(1, 50)
  county?: string | null;

  @Field(() => Boolean)
  carposEnabled!: boolean;
}

@InputType('CreateUserInput')
export class CreateUserInput {
  @UserIdField('The login name: case-insensitive, never renamed or reused.')
  userId!: string;

  @Field(() => String)
  @Length(1, 100)
  displayName!: string;

  @OriField('ORI of the user’s court or agency; it must exist.')
  organisation!: string;

  @RolesField()
  roles!: Role[];

  @Field(() => Boolean)
  cletsCertified!: boolean;

  @PasswordField('The initial password: 8 to 128 characters, not the user id.')
  password!: string;
}

@ArgsType()
export class CreateOrganisationArgs extends IdempotentArgs {
  @Field(() => CreateOrganisationInput)
  @ValidateNested()
  @Type(() => CreateOrganisationInput)
  input!: CreateOrganisationInput;
}

@ArgsType()
export class ChangeCarposSettingArgs extends IdempotentArgs {
  @OriField()
  ori!: string;

  @Field(() => Boolean)
  carposEnabled!: boolean;
}

@ArgsType()
export class CreateUserArgs extends IdempotentArgs {
  @Field(() => CreateUserInput)
  @ValidateNested()
  @Type(() => CreateUserInput)
  input!: CreateUserInput;
}

@ArgsType()
export class UserArgs {
  @UserIdField()
  userId!: string;
}

/** A mutation of one existing user. */
@ArgsType()
export class UserCommandArgs extends IdempotentArgs {
  @UserIdField()
  userId!: string;
}

@ArgsType()
export class ChangeUserRolesArgs extends UserCommandArgs {
  @RolesField()
  roles!: Role[];

  @Field(() => Boolean)
  cletsCertified!: boolean;
}

@ArgsType()
export class DisableUserArgs extends UserCommandArgs {
  @Field(() => String, { description: 'Why, for the audit trail.' })
  @Length(1, 500)
  reason!: string;
}

@ArgsType()
export class ResetPasswordArgs extends UserCommandArgs {
  @PasswordField('8 to 128 characters, not the user id.')
  newPassword!: string;
}

@ArgsType()
export class ChangePasswordArgs extends IdempotentArgs {
  @PasswordField('The password the signed-in user logs in with now.')
  currentPassword!: string;

  @PasswordField('8 to 128 characters, not the user id.')
  newPassword!: string;
}
