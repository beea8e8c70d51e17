/**
 * Errors that say nothing about the data: the connection broke, the server restarted or is
 * shutting down, or a transaction lost a race it can simply retry. Worth another try.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (typeof code === 'string') {
    // 08: connection exception; 57P: admin shutdown, crash shutdown, cannot connect now;
    // 40001/40P01: serialization failure, deadlock; 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P') || code === '40001' || code === '40P01' || code === '53300') return true;
    if (['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}
