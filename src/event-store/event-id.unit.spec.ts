import { eventIdFor } from './event-id';

describe('event ids', () => {
  it('are the same for the same command and position, so a retried command is recognised', () => {
    expect(eventIdFor('cmd-1', 0)).toBe(eventIdFor('cmd-1', 0));
  });

  it('differ between commands and between the events of one command', () => {
    const ids = new Set([eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1), eventIdFor('cmd-2', 0)]);
    expect(ids.size).toBe(3);
  });

  it('never change across releases (CARPOS transaction numbers derive from them)', () => {
    expect(eventIdFor('7d1c5d3e-8f0a-4b59-9c1e-2f6f0a3b4c5d', 0)).toBe(EXPECTED_FIRST_ID);
  });
});

// Pinned from the first release; if this changes, stored ids no longer match retried commands.
const EXPECTED_FIRST_ID = '59da7efe-3c43-5178-87a0-0377f6b44cc0';
