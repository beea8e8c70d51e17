import fc from 'fast-check';
import { OrderGenerator } from '../../src/demo/order-generator';
import { diffData, FieldChange, OrderData } from '../../src/orders/order-data';
import { fullOrderData } from '../../src/orders/order.fixtures.spec';
import { changesPersons, changesSearch, orderRow, personRows, splitAlias } from './order-search.projection';

describe('order search rows', () => {
  it("splits an NCIC alias 'LAST, FIRST MIDDLE' at the comma, keeping the first given name", () => {
    expect(splitAlias('VICIOUS, SID JOHN')).toEqual({ lastName: 'VICIOUS', firstName: 'SID' });
    expect(splitAlias('Vicious,')).toEqual({ lastName: 'Vicious', firstName: null });
  });

  it("splits a spoken alias 'First Last' after the first word, so compound surnames stay whole", () => {
    expect(splitAlias('Steamboat Willie')).toEqual({ lastName: 'Willie', firstName: 'Steamboat' });
    expect(splitAlias('Maria  De La Cruz')).toEqual({ lastName: 'De La Cruz', firstName: 'Maria' });
    expect(splitAlias('Spike')).toEqual({ lastName: 'Spike', firstName: null });
  });

  it('lists the restrained person, each alias and each protected person, with dates of birth', () => {
    expect(personRows(fullOrderData())).toEqual([
      { role: 'RESTRAINED', kind: 'NAME', lastName: 'Mouse', firstName: 'Mickey', dateOfBirth: '1988-11-18' },
      { role: 'RESTRAINED', kind: 'ALIAS', lastName: 'Willie', firstName: 'Steamboat', dateOfBirth: '1988-11-18' },
      { role: 'PROTECTED', kind: 'NAME', lastName: 'Mouse', firstName: 'Minnie', dateOfBirth: '1990-01-01' },
    ]);
  });

  it("leaves out a draft's persons that have no name yet", () => {
    const draft = { court: fullOrderData().court, orderType: 'DV-110' as const, restrainedPerson: { sex: 'M' as const }, protectedPersons: [{ firstName: 'Ann' }] };
    expect(personRows(draft)).toEqual([{ role: 'PROTECTED', kind: 'NAME', lastName: null, firstName: 'Ann', dateOfBirth: null }]);
  });
});

describe('which modifications make the person rows again', () => {
  const RESTRAINED_KEYS = ['lastName', 'firstName', 'aliases', 'dateOfBirth', 'sex', 'race', 'height', 'address'] as const;
  const ORDER_KEYS = ['caseNumber', 'court', 'orderType', 'issuedDate', 'expirationDate', 'hearingDate', 'judge', 'protectedPersons', 'conditions'] as const;
  /** `before` with a random choice of its fields taken from `other`. */
  const mix = (before: OrderData, other: OrderData, takeOrder: boolean[], takeRestrained: boolean[]): OrderData => ({
    ...before,
    ...Object.fromEntries(ORDER_KEYS.filter((_, i) => takeOrder[i]).map((key) => [key, other[key]])),
    restrainedPerson: {
      ...before.restrainedPerson,
      ...Object.fromEntries(RESTRAINED_KEYS.filter((_, i) => takeRestrained[i]).map((key) => [key, other.restrainedPerson[key]])),
    },
  });
  /**
   * Over pairs of generated orders, one a mix of the other's fields: whenever `changes` says a
   * modification changes nothing, what `kept` takes of an order is the same before and after.
   */
  const holdsForModifications = (changes: (list: FieldChange[]) => boolean, kept: (data: OrderData) => unknown) =>
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.boolean(), { minLength: ORDER_KEYS.length, maxLength: ORDER_KEYS.length }),
        fc.array(fc.boolean(), { minLength: RESTRAINED_KEYS.length, maxLength: RESTRAINED_KEYS.length }),
        (seed, takeOrder, takeRestrained) => {
          const generator = new OrderGenerator(seed);
          const before = generator.order();
          const after = mix(before, generator.order(), takeOrder, takeRestrained);
          expect(changes(diffData(before, after)) || JSON.stringify(kept(before)) === JSON.stringify(kept(after))).toBe(true);
        },
      ),
      // Enough runs that a change of any single field alone comes up many times.
      { numRuns: 2000 },
    );

  it('includes every change that alters a person row or what person rows repeat of the order', () => {
    holdsForModifications(changesPersons, (data) => [
      personRows(data), data.court.ori, data.orderType, data.restrainedPerson.lastName, data.restrainedPerson.firstName,
    ]);
  });

  it('includes in what search keeps every change that alters the order row', () => {
    holdsForModifications(changesSearch, (data) => [{ ...orderRow('o', data, 'ACTIVE', false, 0n, ''), revision: undefined }, personRows(data)]);
  });

  it('leaves them alone for a correction of the hearing date, the judge or the conditions', () => {
    const before = fullOrderData();
    const after = { ...before, hearingDate: '2025-05-05', judge: 'Hon. Someone Else', conditions: [{ code: '02' as const }] };
    expect(changesPersons(diffData(before, after))).toBe(false);
    expect(changesSearch(diffData(before, after))).toBe(false);
    expect(changesPersons(diffData(before, { ...before, protectedPersons: [{ ...before.protectedPersons[0], dateOfBirth: '1991-01-01' }] }))).toBe(true);
  });
});
