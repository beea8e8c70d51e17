import { DynamicModule, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import type { Config } from '../config/config';
import { ApiGraphqlModule } from '../graphql/graphql.module';
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
      imports: [InfrastructureModule.forRoot(config, clock), ...(api ? [AccessModule, ApiGraphqlModule.forRoot(config)] : [])],
      controllers: api ? [HealthController] : [],
      providers: [...(api ? [ProjectionsResolver] : []), ...(config.PROCESSES.includes('projector') ? [ProjectorService] : [])],
    };
  }
}
