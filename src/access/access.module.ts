import { Global, Module } from '@nestjs/common';
import { POSTGRES } from '../app/infrastructure.module';
import { PostgresConnection } from '../postgres/postgres-connection';
import { AccessLog } from './access-log';
import { AccessLogResolver } from './access-log.resolver';
import { ACCESS_LOG } from './access.tokens';

/** The access log, for every context that serves users (identity now; orders and images next). */
@Global()
@Module({
  providers: [
    {
      provide: ACCESS_LOG,
      useFactory: async (postgres: PostgresConnection) => {
        await AccessLog.ensureSchema(postgres.pool);
        return new AccessLog(postgres.pool);
      },
      inject: [POSTGRES],
    },
    AccessLogResolver,
  ],
  exports: [ACCESS_LOG],
})
export class AccessModule {}
