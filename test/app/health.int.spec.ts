import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app/app.module';
import { loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase, testDatabaseUrlFor } from '../support/postgres';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(1);
});
afterAll(() => db.drop());

async function startApp(env: Record<string, string>): Promise<{ app: INestApplication; url: string }> {
  // The app's own pool lands in this suite's schema.
  const databaseUrl = testDatabaseUrlFor(db.schema);
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', PROCESSES: 'api', ...env });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('the running api process, over HTTP', () => {
  it('answers /health and, with every dependency up, /ready', async () => {
    const { app, url } = await startApp({});
    try {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/ready`);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { eventStore: 'up', postgres: 'up', redis: 'up' } });
      expect(ready.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('is alive but not ready while Redis is unreachable, naming the failing check', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const { app, url } = await startApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, string> };
      expect(body).toMatchObject({ status: 'not ready', checks: { eventStore: 'up', postgres: 'up' } });
      expect(body.checks.redis).toMatch(/^down: /);
    } finally {
      await app.close();
    }
  });
});
