import { z } from 'zod';
import { LOGIN_NAME_PATTERN, LOGIN_NAME_RULE } from '../identity/user.commands';

/** Processes this build can run; `npm start` runs them all in one Node process. */
/** carpos-worker: the CARPOS dispatcher and worker (DESIGN §7); scheduler: order expiry and the monthly report snapshots. */
export const PROCESS_NAMES = ['api', 'projector', 'carpos-worker', 'scheduler'] as const;

const schema = z.object({
  // 0 lets the operating system choose a free port (tests, side-by-side runs).
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PROCESSES: z
    .string()
    .default(PROCESS_NAMES.join(','))
    .transform((value) => value.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.enum(PROCESS_NAMES)).min(1)),
  /** Unset: use the local server at 127.0.0.1:5432 if one answers, else start an embedded one. */
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(20),
  EMBEDDED_POSTGRES_DIR: z.string().default('data/postgres'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
  EVENTSTORE_URL: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** `production` turns off GraphQL introspection and field suggestions; any other value leaves them on. */
  NODE_ENV: z.string().default('development'),
  /** The first system administrator, created on the first start when no such user exists yet. */
  BOOTSTRAP_ADMIN_USER_ID: z
    .string()
    .trim()
    .toLowerCase()
    .regex(LOGIN_NAME_PATTERN, LOGIN_NAME_RULE)
    .default('sysadmin'),
  /** Unset or empty: a random one-time password is generated and logged once; never a built-in default. */
  BOOTSTRAP_ADMIN_PASSWORD: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(8).max(128).optional()),
  /** ORI of the registry operator organisation the bootstrap administrator belongs to. */
  REGISTRY_OPERATOR_ORI: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{9}$/, 'must be a 9-character ORI of letters and digits')
    .default('CA0000000'),
  /** Version of the terms and conditions users accept at login; recorded in UserLoggedIn. */
  TERMS_VERSION: z.string().trim().min(1).max(50).default('1'),
  /** Login attempts allowed per client address per window, before TOO_MANY_REQUESTS. */
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Largest image upload accepted, in bytes (default 20 MiB); a larger one is refused with 413 as soon as it passes this. */
  IMAGE_MAX_BYTES: z.coerce.number().int().min(1).default(20 * 1024 * 1024),
  /** Where uploads are received before they are stored; unset: the system's temporary folder. */
  IMAGE_TEMP_DIR: z.string().min(1).optional(),
  /** Where images are stored: `postgres` (the registry's database) or `s3` (S3-compatible object storage). */
  BLOB_STORE: z.enum(['postgres', 's3']).default('postgres'),
  /** Unset: AWS S3 itself; e.g. http://minio:9000 for MinIO. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Unset: the AWS SDK's default credential chain (environment, instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `true` for MinIO and most S3-compatible servers (bucket in the path, not in the host name). */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Where the CARPOS gateway reaches DOJ: the simulator's address (`npm run doj-simulator`), or a real adapter's. */
  DOJ_GATEWAY_URL: z.string().url().default('http://127.0.0.1:7070'),
  /** A DOJ answer slower than this counts as no answer: the transaction is tried again later. */
  DOJ_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** BullMQ queue of CARPOS transactions. */
  CARPOS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('carpos'),
  CARPOS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** Tries per transaction while DOJ is unreachable (exponential backoff from CARPOS_BACKOFF_MS), then failed for operations. */
  CARPOS_ATTEMPTS: z.coerce.number().int().min(1).default(25),
  CARPOS_BACKOFF_MS: z.coerce.number().int().min(10).default(1000),
  /** A worker that died holding a transaction is noticed after about this long and the transaction retried. */
  CARPOS_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often pending transactions are moved into the queue. */
  CARPOS_RELAY_MS: z.coerce.number().int().min(10).default(200),
  /** BullMQ queue of the scheduler's repeatable jobs (order expiry, monthly report snapshots). */
  SCHEDULER_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('scheduler'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment once at start-up; a bad value stops the process with the variable named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.EVENT_STORE === 'eventstoredb' && !config.EVENTSTORE_URL) {
    throw new ConfigError('invalid configuration: EVENTSTORE_URL: required when EVENT_STORE=eventstoredb');
  }
  if (config.BLOB_STORE === 's3' && !config.S3_BUCKET) {
    throw new ConfigError('invalid configuration: S3_BUCKET: required when BLOB_STORE=s3');
  }
  return config;
}
