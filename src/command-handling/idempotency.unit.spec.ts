import { commandIdFor } from './idempotency';

describe('command ids from idempotency keys', () => {
  it('are the same for the same user and key, so a retry is recognised as the same command', () => {
    expect(commandIdFor('clerk.one', 'key-1')).toBe(commandIdFor('clerk.one', 'key-1'));
  });

  it('differ between users sending the same key, and between keys of one user', () => {
    const ids = new Set([commandIdFor('clerk.one', 'key-1'), commandIdFor('clerk.two', 'key-1'), commandIdFor('clerk.one', 'key-2')]);
    expect(ids.size).toBe(3);
  });

  it('never change across releases (a retry spanning a deployment must still be recognised)', () => {
    expect(commandIdFor('clerk.one', 'key-1')).toBe(EXPECTED_ID);
  });
});

// Pinned from the first release; if this changes, retries sent across the upgrade act twice.
const EXPECTED_ID = '4d968924-b906-55a4-b469-4631c527a002';
