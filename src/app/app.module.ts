import { DynamicModule, Module } from '@nestjs/common';
import type { Config } from '../config/config';
import { HealthController } from './health.controller';
import { InfrastructureModule } from './infrastructure.module';
import { ProjectorService } from './projector.service';

@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.forRoot(config)],
      controllers: config.PROCESSES.includes('api') ? [HealthController] : [],
      providers: config.PROCESSES.includes('projector') ? [ProjectorService] : [],
    };
  }
}
