import { z } from 'zod';

/** Processes this build can run; `npm start` runs them all in one Node process. */
export const PROCESS_NAMES = ['api', 'projector'] as const;

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
    .regex(/^[a-z0-9][a-z0-9._@-]{2,63}$/, 'must be 3 to 64 letters, digits, ".", "_", "-" or "@"')
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
  return config;
}
