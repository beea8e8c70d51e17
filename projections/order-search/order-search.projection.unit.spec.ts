import { fullOrderData } from '../../src/orders/order.fixtures.spec';
import { personRows, splitAlias } from './order-search.projection';

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
