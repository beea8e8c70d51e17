import { Inject } from '@nestjs/common';
import { Args, Context, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Principal } from '../access/access-policy';
import type { RequestContext } from '../graphql/request-context';
import { ReadArgs } from '../orders/order.graphql-inputs';
import type { AgingReport } from './aging';
import {
  AgingReportType,
  CourtArgs,
  MonthlyReportArgs,
  OrderCountByUserType,
  OrdersByTypeType,
  ReportSnapshotType,
  ReportsType,
  SnapshotsArgs,
  TotalRecordCountType,
  VolumeSummaryType,
} from './report.graphql-types';
import { ReportService } from './report.service';

const principalOf = async (context: RequestContext): Promise<Principal> => (await context.authenticated()).principal;

/**
 * `reports { … }` (DESIGN §12): one field per report, each for a court (default the user's own)
 * and a month, plus the monthly snapshots. Every field asks the policy for its court.
 */
@Resolver(() => ReportsType)
export class ReportResolver {
  constructor(@Inject(ReportService) private readonly service: ReportService) {}

  @Query(() => ReportsType, { description: 'Monthly court reports; waitForPosition: answer once they include a mutation.' })
  async reports(@Args() { waitForPosition }: ReadArgs, @Context() context: RequestContext): Promise<ReportsType> {
    await context.authenticated();
    await this.service.waitFor(waitForPosition);
    return {};
  }

  @ResolveField(() => VolumeSummaryType)
  async volumeSummary(@Args() args: MonthlyReportArgs, @Context() context: RequestContext): Promise<VolumeSummaryType> {
    return this.service.monthly(await principalOf(context), 'volumeSummary', args);
  }

  @ResolveField(() => OrdersByTypeType)
  async ordersByType(@Args() args: MonthlyReportArgs, @Context() context: RequestContext): Promise<OrdersByTypeType> {
    return this.service.monthly(await principalOf(context), 'ordersByType', args);
  }

  @ResolveField(() => TotalRecordCountType)
  async totalRecordCount(@Args() args: MonthlyReportArgs, @Context() context: RequestContext): Promise<TotalRecordCountType> {
    return this.service.monthly(await principalOf(context), 'totalRecordCount', args);
  }

  @ResolveField(() => OrderCountByUserType)
  async orderCountByUser(@Args() args: MonthlyReportArgs, @Context() context: RequestContext): Promise<OrderCountByUserType> {
    return this.service.monthly(await principalOf(context), 'orderCountByUser', args);
  }

  @ResolveField(() => AgingReportType, { description: 'As of today’s court date.' })
  async aging(@Args() args: CourtArgs, @Context() context: RequestContext): Promise<AgingReport> {
    return this.service.aging(await principalOf(context), args);
  }

  @ResolveField(() => [ReportSnapshotType], { description: 'The court’s monthly snapshots, newest month first.' })
  async snapshots(@Args() args: SnapshotsArgs, @Context() context: RequestContext): Promise<ReportSnapshotType[]> {
    const snapshots = await this.service.snapshots(await principalOf(context), args);
    return snapshots.map(({ reports, ...taken }) => ({ ...taken, ...reports }));
  }
}
