import type { RecordedEvent } from './event-store.port';

/** Turns the data of one schema version of an event type into the next version's. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * A stored event's shape never changes (STYLE.md §2); when a type's shape evolves, its
 * upgrades are listed here in order: entry i takes version i+1 to version i+2. The current
 * version of a type is therefore one more than the number of its upcasters.
 */
export type UpcasterRegistry = Readonly<Record<string, readonly Upcaster[]>>;

export function currentSchemaVersion(registry: UpcasterRegistry, type: string): number {
  return (registry[type]?.length ?? 0) + 1;
}

/** Brings a recorded event up to the current schema version of its type. */
export function upcast(registry: UpcasterRegistry, event: RecordedEvent): RecordedEvent {
  const steps = registry[event.type] ?? [];
  const from = event.metadata.schemaVersion ?? 1;
  if (from > steps.length + 1) {
    throw new Error(`${event.type} ${event.id} has schema version ${from}, newer than this build knows (${steps.length + 1})`);
  }
  let data = event.data;
  for (let version = from; version <= steps.length; version++) data = steps[version - 1](data);
  return data === event.data ? event : { ...event, data, metadata: { ...event.metadata, schemaVersion: steps.length + 1 } };
}
