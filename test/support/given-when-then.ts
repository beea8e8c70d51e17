import { Decider, DomainEvent } from '../../src/decider/decider';

/** The state a decider reaches from its initial state through the given events. */
export function fold<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * Given/when/then for decider tests:
 *   const { given } = deciderSpec(orderDecider);
 *   given([drafted]).when(addOrder).then([added]);
 *   given([]).when(modify).thenThrows(NotFoundError, { rule: 'not_found' });
 * `then` returns nothing (not a promise), so the step object must not be awaited.
 */
export function deciderSpec<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const decide = () => decider.decide(command, fold(decider, events));
          return {
            then(expected: readonly E[]): void {
              expect(decide()).toEqual(expected);
            },
            /** Returns the error so a test can assert more about it. */
            thenThrows<Err extends Error>(errorClass: abstract new (...args: never[]) => Err, partial?: object): Err {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorClass);
              if (partial) expect(thrown).toMatchObject(partial);
              return thrown as Err;
            },
          };
        },
      };
    },
  };
}
