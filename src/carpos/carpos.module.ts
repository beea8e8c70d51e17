import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../app/infrastructure.module';
import type { Config } from '../config/config';
import { CarposQueue, openCarposQueue } from './carpos-queue';
import { CarposWorkerService } from './carpos-worker.service';
import { CarposResolver } from './carpos.resolver';
import { CARPOS_QUEUE } from './carpos.tokens';

const logger = new Logger('Carpos');

/** The CARPOS gateway (DESIGN §7): the worker in the `carpos-worker` process, messages and queue status in the api. */
@Module({})
export class CarposModule implements OnApplicationShutdown {
  constructor(@Inject(CARPOS_QUEUE) private readonly queue: CarposQueue) {}

  static forRoot(config: Config): DynamicModule {
    return {
      module: CarposModule,
      providers: [
        {
          provide: CARPOS_QUEUE,
          inject: [CONFIG],
          useFactory: (c: Config) => {
            const queue = openCarposQueue({ redisUrl: c.REDIS_URL, queueName: c.CARPOS_QUEUE, attempts: c.CARPOS_ATTEMPTS, backoffMs: c.CARPOS_BACKOFF_MS });
            // Redis going away is reported here and healed by reconnecting; unlistened, it would end the process.
            queue.on('error', (error) => logger.warn(`CARPOS queue: ${error.message}`));
            return queue;
          },
        },
        ...(config.PROCESSES.includes('carpos-worker') ? [CarposWorkerService] : []),
        ...(config.PROCESSES.includes('api') ? [CarposResolver] : []),
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
