import { Module } from '@nestjs/common';
import { POSTGRES } from '../app/infrastructure.module';
import { IdentityModule } from '../identity/identity.module';
import { PostgresConnection } from '../postgres/postgres-connection';
import { ReportSnapshots } from './report-snapshots';
import { ReportController } from './report.controller';
import { ReportResolver } from './report.resolver';
import { ReportService } from './report.service';
import { REPORT_SNAPSHOTS } from './reports.tokens';

/** The monthly court reports in the `api` process: `reports` over GraphQL and CSV downloads (DESIGN §10). */
@Module({
  imports: [IdentityModule],
  controllers: [ReportController],
  providers: [
    {
      provide: REPORT_SNAPSHOTS,
      useFactory: async (postgres: PostgresConnection) => {
        await ReportSnapshots.ensureSchema(postgres.pool);
        return new ReportSnapshots(postgres.pool);
      },
      inject: [POSTGRES],
    },
    ReportService,
    ReportResolver,
  ],
})
export class ReportsModule {}
