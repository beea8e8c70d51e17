import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ArrayMaxSize, IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

@ObjectType('CarposMessage', { description: 'DOJ’s answer to one CARPOS transaction.' })
export class CarposMessageType {
  @Field(() => String, { description: 'Transaction control number.' }) tcn!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => String, { nullable: true }) caseNumber!: string | null;
  @Field(() => String) courtOri!: string;
  @Field(() => String, { description: 'ENTER, MODIFY, SERVICE or CANCEL.' }) transactionType!: string;
  @Field(() => Boolean) accepted!: boolean;
  @Field(() => String, { nullable: true, description: 'DOJ’s file control number.' }) fcn!: string | null;
  @Field(() => String, { nullable: true, description: 'Rejection code, e.g. REJECT ON FILE.' }) code!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => String, { nullable: true, description: 'The first 100 characters of what was sent.' }) inputEcho!: string | null;
  @Field(() => String, { description: 'When the order event that caused the transaction happened.' }) createdAt!: string;
  @Field(() => String) answeredAt!: string;
}

@ArgsType()
export class CarposMessagesArgs {
  @Field(() => [String], { nullable: true, description: 'Courts (ORIs); all when absent.' })
  @IsOptional()
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9]{9}$/, { each: true, message: 'each court must be a 9-character ORI' })
  courtOris?: string[];

  @Field(() => String, { nullable: true, description: 'Answered at or after this ISO 8601 instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @Field(() => String, { nullable: true, description: 'Answered before this ISO 8601 instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @Field(() => String, { nullable: true, description: 'ACCEPTED or REJECTED; both when absent.' })
  @IsOptional()
  @IsIn(['ACCEPTED', 'REJECTED'])
  outcome?: 'ACCEPTED' | 'REJECTED';

  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() orderId?: string;

  @Field(() => Int, { nullable: true, description: '100 unless given; at most 1000.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

@ObjectType('CarposFailedTransaction')
export class CarposFailedTransactionType {
  @Field(() => String) tcn!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => String) transactionType!: string;
  @Field(() => Int) attemptsMade!: number;
  @Field(() => String, { description: 'Why the last try failed.' }) reason!: string;
  @Field(() => String, { nullable: true }) failedAt!: string | null;
}

@ObjectType('CarposQueueStatus', { description: 'The CARPOS queue as operations watch it.' })
export class CarposQueueStatusType {
  @Field(() => Int, { description: 'Transactions DOJ has not answered yet (the dispatcher’s record).' }) pending!: number;
  @Field(() => Int) waiting!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int, { description: 'Waiting to be tried again after DOJ was unreachable.' }) delayed!: number;
  @Field(() => Int, { description: 'Out of tries; listed below until retried.' }) failed!: number;
  @Field(() => [CarposFailedTransactionType]) failedTransactions!: CarposFailedTransactionType[];
}

@ArgsType()
export class RetryCarposArgs {
  @Field(() => String) @Matches(/^[0-9A-F]{32}$/, { message: 'tcn must be 32 upper-case hexadecimal digits' }) tcn!: string;
}
