import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  it('has working defaults for a single machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, PROCESSES: ['api', 'projector', 'carpos-worker', 'scheduler'], EVENT_STORE: 'postgres', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.DATABASE_URL).toBeUndefined(); // local server, else embedded
  });

  it('names the variable and the rule of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: .*65535/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL: /);
    expect(() => loadConfig({ LOGIN_RATE_LIMIT: '0' })).toThrow(/LOGIN_RATE_LIMIT: /);
    expect(() => loadConfig({ PROCESSES: 'api,printer' })).toThrow(/PROCESSES\.1: .*api.*projector/);
    expect(() => loadConfig({ EVENT_STORE: 'mongodb' })).toThrow(/EVENT_STORE: .*postgres.*eventstoredb/);
  });

  it('requires EVENTSTORE_URL with the EventStoreDB adapter', () => {
    expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL: required when EVENT_STORE=eventstoredb/);
    expect(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'kurrentdb://localhost:2113?tls=false' }).EVENT_STORE).toBe('eventstoredb');
  });

  it('keeps images in PostgreSQL up to 20 MiB by default; the S3 adapter needs a bucket', () => {
    expect(loadConfig({})).toMatchObject({ BLOB_STORE: 'postgres', IMAGE_MAX_BYTES: 20 * 1024 * 1024, S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false });
    expect(() => loadConfig({ BLOB_STORE: 's3' })).toThrow(/S3_BUCKET: required when BLOB_STORE=s3/);
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'images', S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ BLOB_STORE: 's3', S3_FORCE_PATH_STYLE: true });
    expect(() => loadConfig({ IMAGE_MAX_BYTES: '0' })).toThrow(/IMAGE_MAX_BYTES: /);
  });

  it('bootstraps an administrator without a built-in password, under the default operator ORI', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ BOOTSTRAP_ADMIN_USER_ID: 'sysadmin', REGISTRY_OPERATOR_ORI: 'CA0000000', TERMS_VERSION: '1', NODE_ENV: 'development' });
    expect(config.BOOTSTRAP_ADMIN_PASSWORD).toBeUndefined();
    expect(loadConfig({ BOOTSTRAP_ADMIN_PASSWORD: '' }).BOOTSTRAP_ADMIN_PASSWORD).toBeUndefined(); // `VAR=` in a compose file
  });

  it('normalises the bootstrap user id and ORI as the identity streams do', () => {
    const config = loadConfig({ BOOTSTRAP_ADMIN_USER_ID: ' Root.Admin ', REGISTRY_OPERATOR_ORI: 'ca9990000' });
    expect(config).toMatchObject({ BOOTSTRAP_ADMIN_USER_ID: 'root.admin', REGISTRY_OPERATOR_ORI: 'CA9990000' });
  });

  it('refuses a malformed bootstrap user id, a short bootstrap password or a bad operator ORI', () => {
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_USER_ID: 'a b' })).toThrow(/BOOTSTRAP_ADMIN_USER_ID: /);
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_PASSWORD: 'short' })).toThrow(/BOOTSTRAP_ADMIN_PASSWORD: /);
    expect(() => loadConfig({ REGISTRY_OPERATOR_ORI: 'CA123' })).toThrow(/REGISTRY_OPERATOR_ORI: .*9-character/);
  });
});
