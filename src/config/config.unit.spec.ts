import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  it('has working defaults for a single machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, PROCESSES: ['api', 'projector'], EVENT_STORE: 'postgres', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.DATABASE_URL).toBeUndefined(); // local server, else embedded
  });

  it('names the variable and the rule of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: .*65535/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL: /);
    expect(() => loadConfig({ PROCESSES: 'api,printer' })).toThrow(/PROCESSES\.1: .*api.*projector/);
    expect(() => loadConfig({ EVENT_STORE: 'mongodb' })).toThrow(/EVENT_STORE: .*postgres.*eventstoredb/);
  });

  it('requires EVENTSTORE_URL with the EventStoreDB adapter', () => {
    expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL: required when EVENT_STORE=eventstoredb/);
    expect(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'kurrentdb://localhost:2113?tls=false' }).EVENT_STORE).toBe('eventstoredb');
  });
});
