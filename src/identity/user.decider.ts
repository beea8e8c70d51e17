import { Decider } from '../decider/decider';
import { decide, UserCommand } from './user.commands';
import { evolve, initialUserState, UserEvent, UserState } from './user.events';

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  decide,
  evolve,
};

/** The event store stream of one user (DESIGN §2); accountId comes from `accountIdFor`. */
export function userStream(accountId: string): string {
  return `user-${accountId}`;
}
