import { Decider } from '../decider/decider';
import { decide, QuickAttachCommand } from './quick-attach.commands';
import { evolve, initialQuickAttachState, QuickAttachEvent, QuickAttachState } from './quick-attach.events';

export const quickAttachDecider: Decider<QuickAttachCommand, QuickAttachEvent, QuickAttachState> = {
  initialState: initialQuickAttachState,
  decide,
  evolve,
};

/** The event store stream of one quick attach (DESIGN §2). */
export function quickAttachStream(quickAttachId: string): string {
  return `quickattach-${quickAttachId}`;
}
