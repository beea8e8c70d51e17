import { DynamicModule, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { CarposModule } from '../carpos/carpos.module';
import type { Config } from '../config/config';
import { ApiGraphqlModule } from '../graphql/graphql.module';
import { ImagesModule } from '../images/images.module';
import { OrdersModule } from '../orders/orders.module';
import { QuickAttachModule } from '../quick-attach/quick-attach.module';
import { ReportsModule } from '../reports/reports.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { Clock, systemClock } from './clock';
import { HealthController } from './health.controller';
import { InfrastructureModule } from './infrastructure.module';
import { ProjectionsResolver } from './projections.resolver';
import { ProjectorService } from './projector.service';

@Module({})
export class AppModule {
  /** clock: tests pass one they can move; everything else runs on the system clock. */
  static forRoot(config: Config, clock: Clock = systemClock): DynamicModule {
    const api = config.PROCESSES.includes('api');
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config, clock),
        ...(api ? [AccessModule, ApiGraphqlModule.forRoot(config), OrdersModule] : []),
        ...(api ? [ImagesModule, QuickAttachModule] : []),
        ...(api || config.PROCESSES.includes('carpos-worker') ? [CarposModule.forRoot(config)] : []),
        ...(api ? [ReportsModule] : []),
        ...(config.PROCESSES.includes('scheduler') ? [SchedulerModule] : []),
      ],
      controllers: api ? [HealthController] : [],
      providers: [...(api ? [ProjectionsResolver] : []), ...(config.PROCESSES.includes('projector') ? [ProjectorService] : [])],
    };
  }
}
