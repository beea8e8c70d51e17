import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type {
  AgeBucketCount,
  OrderCountByUser,
  OrdersByType,
  OrdersByTypeRow,
  TotalRecordCount,
  UserOrderCount,
  VolumeSummary,
} from '../../projections/reports/reports.query';
import type { AgingReport, AgingSection } from './aging';
import type { ReportSnapshot } from './report-snapshots';

/** Arguments and types of `reports` (DESIGN §10, §12); docs/reports.md describes every figure. */

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MONTH_MESSAGE = 'month must be a calendar month written YYYY-MM';

@ArgsType()
export class CourtArgs {
  @Field(() => String, { nullable: true, description: 'The court’s ORI; default the signed-in user’s own organisation.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{9}$/, { message: 'court must be a 9-character ORI of letters and digits' })
  court?: string;
}

@ArgsType()
export class MonthlyReportArgs extends CourtArgs {
  @Field({ description: 'YYYY-MM, in court time (America/Los_Angeles); the current month gives the figures so far.' })
  @Matches(MONTH, { message: MONTH_MESSAGE })
  month!: string;
}

@ArgsType()
export class SnapshotsArgs extends CourtArgs {
  @Field(() => String, { nullable: true, description: 'YYYY-MM: only that month’s snapshot.' })
  @IsOptional()
  @Matches(MONTH, { message: MONTH_MESSAGE })
  month?: string;
}

/** Query string of a CSV download: the same checks as the GraphQL arguments. */
export class ReportFileQuery extends SnapshotsArgs {
  /** `true`: the month's snapshot as the court was sent it, instead of the figures as they stand. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'snapshot must be true or false' })
  snapshot?: string;
}

@ObjectType('VolumeSummary', { description: 'Volume Summary by Court: what happened to the court’s orders in the month.' })
export class VolumeSummaryType implements VolumeSummary {
  @Field({ description: 'ORI' }) court!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field() month!: string;
  @Field(() => Int, { description: 'Drafts started' }) drafted!: number;
  @Field(() => Int, { description: 'Orders added, new or by completing a draft' }) added!: number;
  @Field(() => Int) cloned!: number;
  @Field(() => Int) modified!: number;
  @Field(() => Int, { description: 'Proofs of service recorded' }) served!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int) sealed!: number;
  @Field(() => Int) unsealed!: number;
  @Field(() => Int) imagesAttached!: number;
  @Field(() => Int, { description: 'Orders added or cloned with submitToCarpos' }) submittedToCarpos!: number;
}

@ObjectType('OrdersByTypeRow')
export class OrdersByTypeRowType implements OrdersByTypeRow {
  @Field({ description: 'Judicial Council form, e.g. DV-110' }) orderType!: string;
  @Field(() => Int) added!: number;
  @Field(() => Int) cloned!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int, { description: 'Orders of this type in force at the end of the month' }) activeAtMonthEnd!: number;
}

@ObjectType('OrdersByType', { description: 'Orders by Type Summary: one row per order type, every type listed.' })
export class OrdersByTypeType implements OrdersByType {
  @Field() court!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field() month!: string;
  @Field(() => [OrdersByTypeRowType]) rows!: OrdersByTypeRow[];
}

@ObjectType('TotalRecordCount', { description: 'Total Record Count: the court’s records by status at the end of the month.' })
export class TotalRecordCountType implements TotalRecordCount {
  @Field() court!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field() month!: string;
  @Field({ description: 'The month’s last day' }) asOfDate!: string;
  @Field(() => Int) draft!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int) total!: number;
}

@ObjectType('UserOrderCount')
export class UserOrderCountType implements UserOrderCount {
  @Field() userId!: string;
  @Field({ description: 'ORI of the user’s organisation when they acted' }) organisation!: string;
  @Field(() => Int) drafted!: number;
  @Field(() => Int) added!: number;
  @Field(() => Int) cloned!: number;
  @Field(() => Int) modified!: number;
  @Field(() => Int) served!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) sealed!: number;
  @Field(() => Int) unsealed!: number;
  @Field(() => Int) imagesAttached!: number;
  @Field(() => Int) total!: number;
}

@ObjectType('OrderCountByUser', { description: 'Order Count by User: each user who acted on the court’s orders in the month.' })
export class OrderCountByUserType implements OrderCountByUser {
  @Field() court!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field() month!: string;
  @Field(() => [UserOrderCountType]) rows!: UserOrderCount[];
}

@ObjectType('AgingBucket', { description: 'An age range in whole days, both ends included; null: open-ended (both null: no date).' })
export class AgingBucketType implements AgeBucketCount {
  @Field() label!: string;
  @Field(() => Int, { nullable: true }) fromDays!: number | null;
  @Field(() => Int, { nullable: true }) toDays!: number | null;
  @Field(() => Int) count!: number;
}

@ObjectType('AgingSection')
export class AgingSectionType implements AgingSection {
  @Field() name!: string;
  @Field() title!: string;
  @Field(() => [AgingBucketType]) buckets!: AgeBucketCount[];
}

@ObjectType('AgingReport', { description: 'Aging Report: the court’s open work by age on a court day.' })
export class AgingReportType implements AgingReport {
  @Field() court!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field() asOfDate!: string;
  @Field(() => [AgingSectionType]) sections!: AgingSection[];
}

@ObjectType('ReportSnapshot', { description: 'A court’s reports for a month, taken on the first of the next month and never changed.' })
export class ReportSnapshotType implements Omit<ReportSnapshot, 'reports'> {
  @Field() court!: string;
  @Field() month!: string;
  @Field() takenAt!: string;
  @Field(() => VolumeSummaryType) volumeSummary!: VolumeSummary;
  @Field(() => OrdersByTypeType) ordersByType!: OrdersByType;
  @Field(() => TotalRecordCountType) totalRecordCount!: TotalRecordCount;
  @Field(() => OrderCountByUserType) orderCountByUser!: OrderCountByUser;
  @Field(() => AgingReportType, { description: 'As of the day the snapshot was taken' }) aging!: AgingReport;
}

@ObjectType('Reports', { description: 'The monthly court reports (DESIGN §10): the figures as they stand, and the monthly snapshots.' })
export class ReportsType {}
