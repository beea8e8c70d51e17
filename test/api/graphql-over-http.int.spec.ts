import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { serverAudits } from 'graphql-http';
import { AppModule } from '../../src/app/app.module';
import { loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase, testDatabaseUrlFor } from '../support/postgres';

let db: TestDatabase;
let app: INestApplication;
let url = '';
beforeAll(async () => {
  db = await createTestDatabase(1);
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrlFor(db.schema),
    PORT: '0',
    HOST: '127.0.0.1',
    PROCESSES: 'api',
    BOOTSTRAP_ADMIN_PASSWORD: 'correct horse battery staple',
  });
  app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  url = `${await app.getUrl()}/graphql`;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/**
 * The GraphQL-over-HTTP specification's own compliance audits (graphql-http), run against our
 * endpoint. Every MUST is required; SHOULD and MAY are recommendations and are not run as tests.
 */
describe('GraphQL over HTTP compliance', () => {
  const musts = serverAudits({ url: () => url }).filter((audit) => audit.name.startsWith('MUST'));

  it('has the specification’s MUST audits to run', () => {
    expect(musts.length).toBeGreaterThan(10);
  });

  for (const audit of musts) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect({ status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual({ status: 'ok', reason: undefined });
    });
  }
});
