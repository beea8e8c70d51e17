import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app/app.module';
import { loadConfig } from './config/config';
import { POSTGRES } from './app/infrastructure.module';
import { PostgresConnection } from './postgres/postgres-connection';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false });
  app.enableShutdownHooks();
  const postgres = app.get<PostgresConnection>(POSTGRES);
  const logger = new Logger('Registry');
  logger.log(`PostgreSQL: ${postgres.source}; event store: ${config.EVENT_STORE}; processes: ${config.PROCESSES.join(', ')}`);
  await app.listen(config.PORT, config.HOST);
  logger.log(`listening on http://${config.HOST}:${config.PORT} (POST /graphql, GET /health, GET /ready)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
