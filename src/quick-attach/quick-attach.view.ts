import type { RecordedEvent } from '../event-store/event-store.port';
import type { ActorStamp } from '../orders/order-history';
import type { OrderImage } from '../orders/order.events';
import { quickAttachStream } from './quick-attach.decider';
import type { ConversionTarget, QuickAttachEvent } from './quick-attach.events';

/**
 * A quick attach as users see it, made from its recorded events: the read model stores exactly
 * this, and a mutation answers it folded from the event store, so both agree by construction.
 */
export interface QuickAttachView {
  quickAttachId: string;
  /** Stream revision of the last event folded in. */
  revision: number;
  status: 'PENDING' | 'CONVERTED';
  court: { county: string; ori: string };
  caseNumber: string | null;
  restrainedPerson: { lastName: string | null; firstName: string | null };
  notes: string | null;
  image: OrderImage;
  added: ActorStamp;
  conversion: { orderId: string; into: ConversionTarget; at: string; userId: string; organisation: string } | null;
}

const STREAM_PREFIX = quickAttachStream('');

/** The quick attach event inside a recorded event, or undefined when it belongs to another stream. */
export function recordedQuickAttachEvent(recorded: RecordedEvent): (QuickAttachEvent & { quickAttachId: string }) | undefined {
  if (!recorded.stream.startsWith(STREAM_PREFIX)) return undefined;
  return { type: recorded.type, data: recorded.data, quickAttachId: recorded.stream.slice(STREAM_PREFIX.length) } as QuickAttachEvent & { quickAttachId: string };
}

/** Folds one more event of the quick attach's stream; `previous` is undefined for its first. */
export function foldQuickAttachEvent(previous: QuickAttachView | undefined, recorded: RecordedEvent): QuickAttachView {
  const event = recordedQuickAttachEvent(recorded);
  if (!event) throw new Error(`${recorded.type} of ${recorded.stream} is not a quick attach event`);
  const stamp: ActorStamp = { at: recorded.metadata.occurredAt, userId: recorded.metadata.actorUserId, organisation: recorded.metadata.actorOrganisation };
  const revision = Number(recorded.revision);
  switch (event.type) {
    case 'QuickAttachAdded': {
      const { court, image, caseNumber, restrainedPerson, notes } = event.data;
      return {
        quickAttachId: event.quickAttachId,
        revision,
        status: 'PENDING',
        court,
        caseNumber: caseNumber ?? null,
        restrainedPerson: { lastName: restrainedPerson?.lastName ?? null, firstName: restrainedPerson?.firstName ?? null },
        notes: notes ?? null,
        image,
        added: stamp,
        conversion: null,
      };
    }
    case 'QuickAttachConverted':
      if (!previous) throw new Error(`${recorded.stream}: QuickAttachConverted before QuickAttachAdded`);
      return { ...previous, revision, status: 'CONVERTED', conversion: { ...event.data, ...stamp } };
  }
}
