import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IdempotentArgs } from '../graphql/idempotent-args';
import { OrderDataInput, ReadArgs } from '../orders/order.graphql-inputs';
import { ActorStampType, CourtType, OrderImageType, OrderMutationResultType } from '../orders/order.graphql-types';
import { CONVERSION_TARGETS } from './quick-attach.events';

/** Quick Attach over GraphQL (DESIGN §12 `quickAttaches`): arguments are shape-checked here, the rules live in the decider. */

@InputType('QuickAttachPersonInput')
export class QuickAttachPersonInput {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(50) lastName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(50) firstName?: string | null;
}

@InputType('QuickAttachInput', { description: 'A scan uploaded with POST /images and what is known of its order; only the image is required.' })
export class QuickAttachInput {
  @Field(() => String, { description: 'The imageId POST /images answered.' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'imageId must be the image id POST /images answered: 64 hexadecimal digits' })
  imageId!: string;

  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(255) fileName?: string | null;
  @Field(() => String, { nullable: true, description: 'If known.' }) @IsOptional() @MaxLength(30) caseNumber?: string | null;

  @Field(() => QuickAttachPersonInput, { nullable: true, description: 'If known.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuickAttachPersonInput)
  restrainedPerson?: QuickAttachPersonInput | null;

  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2000) notes?: string | null;
}

@ArgsType()
export class AddQuickAttachArgs extends IdempotentArgs {
  @Field(() => QuickAttachInput)
  @ValidateNested()
  @Type(() => QuickAttachInput)
  input!: QuickAttachInput;
}

@ArgsType()
export class ConvertQuickAttachArgs extends IdempotentArgs {
  @Field(() => ID) @IsUUID() quickAttachId!: string;

  @Field(() => String, { description: 'DRAFT (to complete later) or ACTIVE (the order in full now).' })
  @IsIn(CONVERSION_TARGETS)
  into!: 'DRAFT' | 'ACTIVE';

  @Field(() => OrderDataInput, {
    description: 'The order’s data; the quick attach’s case number, restrained name and notes, and the user’s court, fill what it leaves out.',
  })
  data!: OrderDataInput;

  @Field(() => Boolean, { nullable: true, description: 'With ACTIVE: forward the order to DOJ (CARPOS).' })
  @IsOptional()
  @IsBoolean()
  submitToCarpos?: boolean;
}

@InputType('QuickAttachCriteria', { description: 'Names and case number take the order search’s wildcards: % any run, _ one character (only with a %).' })
export class QuickAttachCriteriaInput {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(100) lastName?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(100) firstName?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(30) caseNumber?: string;
  @Field(() => Boolean, { nullable: true, description: 'Converted ones too; by default only those still pending.' })
  @IsOptional()
  @IsBoolean()
  includeConverted?: boolean;
}

@ArgsType()
export class QuickAttachesArgs extends ReadArgs {
  @Field(() => QuickAttachCriteriaInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuickAttachCriteriaInput)
  criteria?: QuickAttachCriteriaInput;

  @Field(() => Int, { nullable: true, description: 'From 1; 25 a page.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;
}

@ObjectType('QuickAttachPerson')
export class QuickAttachPersonType {
  @Field(() => String, { nullable: true }) lastName!: string | null;
  @Field(() => String, { nullable: true }) firstName!: string | null;
}

@ObjectType('QuickAttachConversion')
export class QuickAttachConversionType {
  @Field(() => ID) orderId!: string;
  @Field(() => String, { description: 'DRAFT or ACTIVE: what the order was when converted.' }) into!: string;
  @Field(() => String) at!: string;
  @Field(() => String) userId!: string;
  @Field(() => String) organisation!: string;
}

@ObjectType('QuickAttach', { description: 'A scanned order entered before its data; found only within the county it was entered in.' })
export class QuickAttachType {
  @Field(() => ID) quickAttachId!: string;
  @Field(() => Int) revision!: number;
  @Field(() => String, { description: 'PENDING or CONVERTED.' }) status!: string;
  @Field(() => CourtType, { description: 'The entering court and its county.' }) court!: { county: string; ori: string };
  @Field(() => String, { nullable: true }) caseNumber!: string | null;
  @Field(() => QuickAttachPersonType) restrainedPerson!: QuickAttachPersonType;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => OrderImageType, { nullable: true, description: 'Download: GET /quick-attaches/{quickAttachId}/image. Null when the order it became is sealed.' })
  image!: OrderImageType | null;
  @Field(() => ActorStampType) added!: ActorStampType;
  @Field(() => QuickAttachConversionType, { nullable: true }) conversion!: QuickAttachConversionType | null;
  @Field(() => Boolean, { description: 'Converted into an order that is now sealed: index data and image are withheld (they are the order’s).' })
  orderSealed!: boolean;
}

@ObjectType('QuickAttachPage')
export class QuickAttachPageType {
  @Field(() => Int) totalCount!: number;
  @Field(() => Int) page!: number;
  @Field(() => Int, { description: '0 when nothing matched.' }) pageCount!: number;
  @Field(() => Int, { nullable: true }) next!: number | null;
  @Field(() => Int, { nullable: true }) last!: number | null;
  @Field(() => [QuickAttachType]) items!: QuickAttachType[];
}

@ObjectType('QuickAttachMutationResult')
export class QuickAttachMutationResultType {
  @Field(() => ID) quickAttachId!: string;
  @Field(() => Int) revision!: number;
  @Field(() => String, { description: 'Global event position: pass as waitForPosition to read your own write.' }) position!: string;
  @Field(() => Boolean) replayed!: boolean;
  @Field(() => QuickAttachType) quickAttach!: QuickAttachType;
}

@ObjectType('QuickAttachConversionResult')
export class QuickAttachConversionResultType extends QuickAttachMutationResultType {
  @Field(() => OrderMutationResultType, { description: 'The order the quick attach became, with its image attached.' })
  order!: OrderMutationResultType;
}
