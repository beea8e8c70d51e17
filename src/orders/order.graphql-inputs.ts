import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CANCELLATION_REASONS, SERVICE_METHODS } from './order.events';
import { MAX_LOCK_MINUTES } from './order.commands';
import { IdempotentArgs } from '../graphql/idempotent-args';

/**
 * Arguments of the order mutations and queries. class-validator checks their shape at the
 * edge; the order data itself (OrderDataInput) is judged by the order's own rules in the
 * decider (order-data.ts), so every entry point (api, seed, workers) applies the same ones.
 */

@InputType('CourtInput')
export class CourtInput {
  @Field(() => String, { nullable: true }) county?: string | null;
  @Field(() => String, { nullable: true }) ori?: string | null;
}

@InputType('RestrainedPersonInput')
export class RestrainedPersonInput {
  @Field(() => String, { nullable: true }) lastName?: string | null;
  @Field(() => String, { nullable: true }) firstName?: string | null;
  @Field(() => String, { nullable: true }) middleName?: string | null;
  @Field(() => [String], { nullable: true }) aliases?: string[] | null;
  @Field(() => String, { nullable: true }) dateOfBirth?: string | null;
  @Field(() => Int, { nullable: true }) age?: number | null;
  @Field(() => String, { nullable: true }) sex?: string | null;
  @Field(() => String, { nullable: true }) race?: string | null;
  @Field(() => Int, { nullable: true }) height?: number | null;
  @Field(() => Int, { nullable: true }) weight?: number | null;
  @Field(() => String, { nullable: true }) hair?: string | null;
  @Field(() => String, { nullable: true }) eyes?: string | null;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => String, { nullable: true }) relationship?: string | null;
}

@InputType('ProtectedPersonInput')
export class ProtectedPersonInput {
  @Field(() => String, { nullable: true }) lastName?: string | null;
  @Field(() => String, { nullable: true }) firstName?: string | null;
  @Field(() => String, { nullable: true }) middleName?: string | null;
  @Field(() => String, { nullable: true }) dateOfBirth?: string | null;
  @Field(() => String, { nullable: true }) sex?: string | null;
  @Field(() => String, { nullable: true }) race?: string | null;
  @Field(() => String, { nullable: true }) relationship?: string | null;
}

@InputType('OrderConditionInput')
export class OrderConditionInput {
  @Field(() => String) code!: string;
  @Field(() => String, { nullable: true }) text?: string | null;
}

@InputType('OrderDataInput', {
  description:
    'Order data, or a change to it: objects merge field by field, lists replace, an explicit null clears a field, an absent field is left as it is.',
})
export class OrderDataInput {
  @Field(() => String, { nullable: true }) caseNumber?: string | null;
  @Field(() => CourtInput, { nullable: true }) court?: CourtInput | null;
  @Field(() => String, { nullable: true }) orderType?: string | null;
  @Field(() => String, { nullable: true }) issuedDate?: string | null;
  @Field(() => String, { nullable: true }) expirationDate?: string | null;
  @Field(() => String, { nullable: true }) hearingDate?: string | null;
  @Field(() => String, { nullable: true }) judge?: string | null;
  @Field(() => RestrainedPersonInput, { nullable: true }) restrainedPerson?: RestrainedPersonInput | null;
  @Field(() => [ProtectedPersonInput], { nullable: true }) protectedPersons?: ProtectedPersonInput[] | null;
  @Field(() => [OrderConditionInput], { nullable: true }) conditions?: OrderConditionInput[] | null;
  @Field(() => String, { nullable: true }) firearmProhibition?: string | null;
  @Field(() => String, { nullable: true }) bradyIndicator?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@ArgsType()
export class DraftOrderArgs extends IdempotentArgs {
  @Field(() => OrderDataInput) data!: OrderDataInput;
}

@ArgsType()
export class AddOrderArgs extends IdempotentArgs {
  @Field(() => ID, { nullable: true, description: 'A DRAFT to complete; without it a new order is added.' })
  @IsOptional()
  @IsUUID()
  orderId?: string;

  @Field(() => Int, { nullable: true, description: 'With orderId: refuse if the draft moved past this revision.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedRevision?: number;

  @Field(() => OrderDataInput) data!: OrderDataInput;

  @Field(() => Boolean, { description: 'Forward the order to DOJ (CARPOS); DOJ’s required fields are then checked too.' })
  @IsBoolean()
  submitToCarpos!: boolean;
}

/** Every command on an existing order. */
@ArgsType()
export class OrderCommandArgs extends IdempotentArgs {
  @Field(() => ID) @IsUUID() orderId!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'The revision the client last showed; the command is refused with CONFLICT if the order has changed since.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedRevision?: number;
}

@ArgsType()
export class ModifyOrderArgs extends OrderCommandArgs {
  @Field(() => OrderDataInput) patch!: OrderDataInput;
}

@ArgsType()
export class CloneOrderArgs extends IdempotentArgs {
  @Field(() => ID, { description: 'The order to copy; the copy is a new ACTIVE order of the user’s court.' })
  @IsUUID()
  sourceOrderId!: string;

  @Field(() => OrderDataInput, { nullable: true }) overrides?: OrderDataInput;

  @Field(() => Boolean) @IsBoolean() submitToCarpos!: boolean;
}

@InputType('ServiceInput')
export class ServiceInput {
  @Field(() => String, { description: 'ISO 8601 instant with a time zone.' }) servedAt!: string;
  @Field(() => String, { description: SERVICE_METHODS.join(', ') }) method!: string;
  @Field(() => String) servedBy!: string;
  @Field(() => String) agency!: string;
  @Field(() => String, { nullable: true }) notes?: string;
}

@ArgsType()
export class ServeOrderArgs extends OrderCommandArgs {
  @Field(() => ServiceInput) service!: ServiceInput;
}

@ArgsType()
export class CancelOrderArgs extends OrderCommandArgs {
  @Field(() => String, { description: CANCELLATION_REASONS.join(', ') })
  @IsIn(CANCELLATION_REASONS)
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Required when reason is OTHER.' })
  @IsOptional()
  @MaxLength(500)
  reasonText?: string;
}

@ArgsType()
export class LockOrderArgs extends OrderCommandArgs {
  @Field(() => Int, { nullable: true, description: `Minutes, 30 unless given; at most ${MAX_LOCK_MINUTES}.` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LOCK_MINUTES)
  durationMinutes?: number;
}

/** An image uploaded with `POST /images`; its type, size and pages come from the upload, not from the client. */
@ArgsType()
export class AttachImageArgs extends OrderCommandArgs {
  @Field(() => String, { description: 'The imageId `POST /images` answered (the SHA-256 of the content).' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'imageId must be the image id POST /images answered: 64 hexadecimal digits' })
  imageId!: string;

  @Field(() => String, { nullable: true, description: 'Shown with the image; the uploaded file’s name unless given.' })
  @IsOptional()
  @MaxLength(255)
  fileName?: string;
}

/** Read-your-writes (DESIGN §8): wait until the read models have applied a mutation's position. */
@ArgsType()
export class ReadArgs {
  @Field(() => String, { nullable: true, description: 'A mutation’s position: answer only once the read models have reached it (up to 5 s).' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'waitForPosition must be a position as a mutation returned it (digits)' })
  waitForPosition?: string;
}

@ArgsType()
export class OrderQueryArgs extends ReadArgs {
  @Field(() => ID) @IsUUID() id!: string;
}

@ArgsType()
export class OrderAsOfArgs extends OrderQueryArgs {
  @Field(() => Int, { nullable: true, description: 'The order after this stream revision.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  revision?: number;

  @Field(() => String, { nullable: true, description: 'The order as the registry knew it at this ISO 8601 instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

@InputType('OrderSearchCriteria', { description: 'Names and case number take the user guide’s wildcards: % any run, _ one character (only with a %).' })
export class OrderSearchCriteriaInput {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(100) lastName?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(100) firstName?: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) @IsOptional() @MaxLength(10) dateOfBirth?: string;
  @Field(() => String, { nullable: true, description: 'RESTRAINED, PROTECTED or ANY (default).' })
  @IsOptional()
  @IsIn(['RESTRAINED', 'PROTECTED', 'ANY'])
  personRole?: 'RESTRAINED' | 'PROTECTED' | 'ANY';
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(30) caseNumber?: string;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(100) courtOris?: string[];
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(20) orderTypes?: string[];
  @Field(() => [String], { nullable: true, description: 'DRAFT, ACTIVE, CANCELLED, EXPIRED' })
  @IsOptional()
  @ArrayMaxSize(4)
  statuses?: ('DRAFT' | 'ACTIVE' | 'CANCELLED' | 'EXPIRED')[];
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() includeDrafts?: boolean;
}

@ArgsType()
export class SearchOrdersArgs extends ReadArgs {
  @Field(() => OrderSearchCriteriaInput)
  @ValidateNested()
  @Type(() => OrderSearchCriteriaInput)
  criteria!: OrderSearchCriteriaInput;

  @Field(() => Int, { nullable: true, description: 'From 1; 25 orders a page.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;
}
