import { AccessEntry, AccessLog } from '../../src/access/access-log';
import { createTestDatabase, TestDatabase } from '../support/postgres';

describe('access log store', () => {
  let db: TestDatabase;
  let log: AccessLog;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    await AccessLog.ensureSchema(db.pool);
    log = new AccessLog(db.pool);
  });
  afterAll(() => db.drop());

  const entry = (organisation: string, at: string, action: AccessEntry['action'] = 'login'): AccessEntry => ({
    at,
    userId: `user-${organisation.toLowerCase()}`,
    organisation,
    action,
    outcome: 'ok',
  });

  it('answers an organisation scope with that organisation’s entries only, newest first, within the period', async () => {
    await log.record(entry('CA019015J', '2026-03-01T10:00:00.000Z'));
    await log.record(entry('CA037015J', '2026-03-01T11:00:00.000Z'));
    await log.record(entry('CA019015J', '2026-03-02T10:00:00.000Z', 'search'));
    const own = await log.entries({ organisations: ['CA019015J'] });
    expect(own.map((e) => [e.organisation, e.at])).toEqual([
      ['CA019015J', '2026-03-02T10:00:00.000Z'],
      ['CA019015J', '2026-03-01T10:00:00.000Z'],
    ]);
    expect(await log.entries({ organisations: 'ALL' })).toHaveLength(3);
    const period = await log.entries({ organisations: 'ALL', from: new Date('2026-03-01T10:30:00Z'), to: new Date('2026-03-02T00:00:00Z') });
    expect(period.map((e) => e.organisation)).toEqual(['CA037015J']);
    expect((await log.entries({ organisations: 'ALL', action: 'search' })).map((e) => e.action)).toEqual(['search']);
  });
});
