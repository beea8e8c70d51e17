import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Role, ROLES } from '../access/access-policy';

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
