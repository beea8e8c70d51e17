import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

// Fixed namespace for the registry's name-based (v5) event ids. Never change it: stored ids
// and CARPOS transaction control numbers are derived through it. Parsed once: re-parsing it
// on every event was a tenth of a command's CPU.
const EVENT_ID_NAMESPACE = parseUuid('6f1c8a52-3b7e-4f0e-9d4a-2c8b1e7f5a90');

/** The n-th event produced by a command: same command id, same event ids, on every retry. */
export function eventIdFor(commandId: string, index: number): string {
  return uuidv5(`${commandId}#${index}`, EVENT_ID_NAMESPACE);
}
