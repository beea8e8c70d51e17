import { Module } from '@nestjs/common';
import { SchedulerService } from './scheduler.service';

/** The `scheduler` process: order expiry and the monthly report snapshots (DESIGN §3, §10). */
@Module({ providers: [SchedulerService] })
export class SchedulerModule {}
