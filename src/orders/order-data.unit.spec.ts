import { ValidationError } from '../shared/domain-error';
import { applyPatch, diffData, isCalendarDate, validateDraft, validateForCarpos, validateFull } from './order-data';
import { COURT_ORI, draftData, fullOrderData } from './order.fixtures.spec';

/** The violations a validator throws, as [field, rule] pairs. */
function violations(validate: (input: unknown) => unknown, input: unknown): Array<[string, string]> {
  try {
    validate(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations.map((v) => [v.field, v.rule]);
  }
  throw new Error('expected a ValidationError');
}

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2025-12-31', '2000-01-01'])('accepts the real date %s', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });
  it.each(['2025-02-29', '2025-13-01', '2025-04-31', '25-01-01', '2025-1-1', '2025-01-01T00:00:00Z'])('rejects %s', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });
});

describe('validateDraft', () => {
  it('accepts a draft with only court and order type, with an empty conditions list', () => {
    expect(validateDraft(draftData())).toEqual({ ...draftData(), conditions: [] });
  });

  it('requires court and order type', () => {
    expect(violations(validateDraft, {})).toEqual([
      ['court', 'required'],
      ['orderType', 'required'],
    ]);
  });

  it('lists every malformed field that was given, each with its rule', () => {
    const input = {
      ...draftData(),
      orderType: 'XX-999',
      issuedDate: '2025-02-30',
      restrainedPerson: { sex: 'X', race: 'Z', height: "5'10\"", age: -1 },
      protectedPersons: [{ dateOfBirth: '01/02/2003' }],
      conditions: [{ code: '10' }],
      shoeSize: 9,
    };
    expect(violations(validateDraft, input)).toEqual(
      expect.arrayContaining([
        ['orderType', 'enum'],
        ['issuedDate', 'date_format'],
        ['restrainedPerson.sex', 'enum'],
        ['restrainedPerson.race', 'enum'],
        ['restrainedPerson.height', 'type'],
        ['restrainedPerson.age', 'min'],
        ['protectedPersons.0.dateOfBirth', 'date_format'],
        ['conditions.0.code', 'enum'],
        ['shoeSize', 'unknown_field'],
      ]),
    );
  });

  it('names the allowed values in an enum violation', () => {
    try {
      validateDraft({ ...draftData(), restrainedPerson: { sex: 'X' } });
    } catch (error) {
      expect((error as ValidationError).violations[0]).toEqual({ field: 'restrainedPerson.sex', rule: 'enum', message: 'must be one of M, F, U' });
      return;
    }
    throw new Error('expected a ValidationError');
  });

  it('trims names but keeps their case, and upper-cases the ORI', () => {
    const draft = validateDraft({
      court: { county: ' Fresno ', ori: ` ${COURT_ORI.toLowerCase()} ` },
      orderType: 'DV-110',
      restrainedPerson: { lastName: '  McDonald ', firstName: 'ronald  ' },
    });
    expect(draft.court).toEqual({ county: 'Fresno', ori: COURT_ORI });
    expect(draft.restrainedPerson).toMatchObject({ lastName: 'McDonald', firstName: 'ronald' });
  });

  it('rejects an ORI that is not 9 letters and digits', () => {
    expect(violations(validateDraft, { ...draftData(), court: { county: 'Fresno', ori: 'CA-19' } })).toEqual([['court.ori', 'ori_format']]);
  });

  it('treats a blank name as missing', () => {
    expect(violations(validateDraft, { ...draftData(), restrainedPerson: { lastName: '   ' } })).toEqual([
      ['restrainedPerson.lastName', 'required'],
    ]);
  });

  it('treats null as not given', () => {
    expect(validateDraft({ ...draftData(), judge: null, restrainedPerson: { middleName: null } })).toEqual({
      ...draftData(),
      conditions: [],
      restrainedPerson: { aliases: [] },
    });
  });
});

describe('validateFull', () => {
  it('accepts a complete order', () => {
    expect(validateFull(fullOrderData())).toEqual(fullOrderData());
  });

  it('accepts an order without an expiration date', () => {
    const { expirationDate: _, ...data } = fullOrderData();
    expect(validateFull(data)).not.toHaveProperty('expirationDate');
  });

  it('defaults aliases and conditions to empty lists', () => {
    const data = fullOrderData();
    const { aliases: _a, ...restrainedPerson } = data.restrainedPerson;
    const { conditions: _c, ...rest } = data;
    expect(validateFull({ ...rest, restrainedPerson })).toMatchObject({ conditions: [], restrainedPerson: { aliases: [] } });
  });

  it('lists every field a complete order is missing', () => {
    expect(violations(validateFull, draftData())).toEqual([
      ['caseNumber', 'required'],
      ['issuedDate', 'required'],
      ['restrainedPerson', 'required'],
      ['protectedPersons', 'required'],
    ]);
  });

  it('requires the names of the restrained and every protected person', () => {
    const input = { ...fullOrderData(), restrainedPerson: { sex: 'M' }, protectedPersons: [{ lastName: 'Mouse' }] };
    expect(violations(validateFull, input)).toEqual([
      ['restrainedPerson.lastName', 'required'],
      ['restrainedPerson.firstName', 'required'],
      ['protectedPersons.0.firstName', 'required'],
    ]);
  });

  it('requires at least one protected person', () => {
    expect(violations(validateFull, { ...fullOrderData(), protectedPersons: [] })).toEqual([['protectedPersons', 'min_items']]);
  });

  it('refuses an expiration date before the issued date', () => {
    expect(violations(validateFull, { ...fullOrderData(), issuedDate: '2025-03-01', expirationDate: '2025-02-28' })).toEqual([
      ['expirationDate', 'expiration_before_issue'],
    ]);
  });

  it('accepts an order that expires on the day it is issued', () => {
    expect(validateFull({ ...fullOrderData(), issuedDate: '2025-03-01', expirationDate: '2025-03-01' }).expirationDate).toBe('2025-03-01');
  });

  it('reports the date order together with unrelated violations', () => {
    const input = { ...fullOrderData(), caseNumber: '', issuedDate: '2025-03-01', expirationDate: '2025-02-28' };
    expect(violations(validateFull, input)).toEqual([
      ['caseNumber', 'required'],
      ['expirationDate', 'expiration_before_issue'],
    ]);
  });

  it('requires text for condition 08', () => {
    expect(violations(validateFull, { ...fullOrderData(), conditions: [{ code: '08' }] })).toEqual([
      ['conditions.0.text', 'condition_text_required'],
    ]);
  });
});

describe('validateForCarpos', () => {
  const restrainedWithout = (...keys: string[]) => ({
    ...fullOrderData(),
    restrainedPerson: Object.fromEntries(Object.entries(fullOrderData().restrainedPerson).filter(([k]) => !keys.includes(k))),
  });

  it('accepts a complete order with sex, race and date of birth', () => {
    expect(validateForCarpos(fullOrderData())).toEqual(fullOrderData());
  });

  it('accepts age in place of date of birth', () => {
    expect(validateForCarpos({ ...restrainedWithout('dateOfBirth'), restrainedPerson: { ...restrainedWithout('dateOfBirth').restrainedPerson, age: 36 } }).restrainedPerson.age).toBe(36);
  });

  it('requires restrained sex, race and date of birth or age, which a full order may omit', () => {
    const input = restrainedWithout('sex', 'race', 'dateOfBirth');
    expect(validateFull(input).restrainedPerson).not.toHaveProperty('sex');
    expect(violations(validateForCarpos, input)).toEqual([
      ['restrainedPerson.sex', 'required'],
      ['restrainedPerson.race', 'required'],
      ['restrainedPerson.dateOfBirth', 'dob_or_age_required'],
    ]);
  });

  it('still applies every rule of a full order', () => {
    const input = { ...restrainedWithout('lastName'), issuedDate: '2025-03-01', expirationDate: '2025-02-01' };
    expect(violations(validateForCarpos, input)).toEqual([
      ['restrainedPerson.lastName', 'required'],
      ['expirationDate', 'expiration_before_issue'],
    ]);
  });
});

describe('applyPatch', () => {
  it('merges objects field by field, replaces arrays and clears fields given as null', () => {
    const base = { a: 1, nested: { x: 1, y: 2 }, list: [1, 2], gone: 'yes' };
    expect(applyPatch(base, { nested: { y: 3 }, list: [9], gone: null, added: true })).toEqual({
      a: 1,
      nested: { x: 1, y: 3 },
      list: [9],
      added: true,
    });
  });

  it('leaves the base untouched', () => {
    const base = { nested: { x: 1 } };
    applyPatch(base, { nested: { x: 2 } });
    expect(base).toEqual({ nested: { x: 1 } });
  });
});

describe('diffData', () => {
  it('lists changed leaves by dotted path with before and after', () => {
    expect(diffData({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toEqual([{ field: 'a.c', before: 2, after: 3 }]);
  });

  it('reports an absent value as null on either side', () => {
    expect(diffData({ a: 'x' }, { b: 'y' })).toEqual([
      { field: 'a', before: 'x', after: null },
      { field: 'b', before: null, after: 'y' },
    ]);
  });

  it('lists the fields of an added array element by index', () => {
    expect(diffData({ people: [{ n: 'A' }] }, { people: [{ n: 'A' }, { n: 'B' }] })).toEqual([
      { field: 'people.1.n', before: null, after: 'B' },
    ]);
  });

  it('finds nothing between equal data', () => {
    expect(diffData(fullOrderData(), fullOrderData())).toEqual([]);
  });
});
