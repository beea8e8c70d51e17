import { ArgsType, Field } from '@nestjs/graphql';
import { Matches } from 'class-validator';

/** Every mutation's idempotency key (DESIGN §12): the same key from the same user never acts twice. */
@ArgsType()
export class IdempotentArgs {
  @Field({ description: 'Chosen by the client, unique per intended action (a UUID is ideal); a retry sends the same key.' })
  @Matches(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'idempotencyKey must be 1 to 100 letters, digits, ".", "_", ":" or "-"' })
  idempotencyKey!: string;
}
