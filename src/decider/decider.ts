/**
 * The shape of every aggregate's decision logic: pure functions, no I/O, no clock.
 * decide throws a DomainError (src/shared/domain-error.ts) to reject a command.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}
