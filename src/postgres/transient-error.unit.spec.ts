import { isTransientDatabaseError } from './transient-error';

describe('transient database errors', () => {
  it.each([
    ['a connection failure', { code: '08006' }],
    ['an administrator terminating the connection', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['a deadlock', { code: '40P01' }],
    ['a refused socket', { code: 'ECONNREFUSED' }],
    ['a connection the driver saw end', new Error('Connection terminated unexpectedly')],
  ])('retries %s', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: '23505' }],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'data')")],
    ['nothing at all', undefined],
  ])('does not retry %s', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
