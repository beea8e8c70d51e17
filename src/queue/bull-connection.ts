import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ's Redis connection settings from REDIS_URL, for every queue and worker of the registry
 * (CARPOS, the scheduler). Workers block on Redis, so requests must wait for a reconnect
 * rather than fail after a few retries (`maxRetriesPerRequest: null`, as BullMQ requires).
 */
export function bullConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
