import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../shared/domain-error';
import { actors, COURT_ORI, givenOrganisation as given, invalid, NOW, OPERATOR_ORI } from './identity.fixtures.spec';
import { ChangeCarposSetting, CreateOrganisation } from './organisation.commands';
import { organisationStream } from './organisation.decider';
import { OrganisationEvent } from './organisation.events';

const create = (extra: Partial<CreateOrganisation> = {}): CreateOrganisation => ({
  type: 'CreateOrganisation',
  ori: COURT_ORI,
  now: NOW,
  actor: actors.sysadmin,
  name: 'Superior Court of Fresno County',
  kind: 'SUPERIOR_COURT',
  county: 'Fresno',
  carposEnabled: true,
  ...extra,
});
const changeCarpos = (carposEnabled: boolean, extra: Partial<ChangeCarposSetting> = {}): ChangeCarposSetting => ({
  type: 'ChangeCarposSetting',
  ori: COURT_ORI,
  now: NOW,
  actor: actors.sysadmin,
  carposEnabled,
  ...extra,
});
const created = (data: Partial<Extract<OrganisationEvent, { type: 'OrganisationCreated' }>['data']> = {}): OrganisationEvent => ({
  type: 'OrganisationCreated',
  data: { ori: COURT_ORI, name: 'Superior Court of Fresno County', kind: 'SUPERIOR_COURT', county: 'Fresno', carposEnabled: true, ...data },
});

describe('organisationStream', () => {
  it('names the stream org-<ORI> with the ORI upper-cased', () => {
    expect(organisationStream(' ca019015j ')).toBe('org-CA019015J');
  });
});

describe('CreateOrganisation', () => {
  it('creates a court with its county, the ORI trimmed and upper-cased', () => {
    given([]).when(create({ ori: ' ca019015j ', name: ' Superior Court of Fresno County ' })).then([created()]);
  });

  it('creates a law enforcement agency without a county', () => {
    given([])
      .when(create({ kind: 'LAW_ENFORCEMENT', county: undefined, name: 'California Highway Patrol', carposEnabled: false }))
      .then([created({ kind: 'LAW_ENFORCEMENT', county: undefined, name: 'California Highway Patrol', carposEnabled: false })]);
  });

  it('creates the registry operator with CARPOS off', () => {
    given([])
      .when(create({ ori: OPERATOR_ORI, kind: 'REGISTRY_OPERATOR', county: undefined, name: 'Technology Center', carposEnabled: false }))
      .then([created({ ori: OPERATOR_ORI, kind: 'REGISTRY_OPERATOR', county: undefined, name: 'Technology Center', carposEnabled: false })]);
  });

  it.each([['a court ADMINISTRATOR', actors.admin], ['an ADMINISTRATOR of the registry operator', actors.operatorAdmin]])(
    'refuses %s: only a SYSTEM_ADMINISTRATOR creates organisations',
    (_, actor) => {
      given([]).when(create({ actor })).thenThrows(ForbiddenError, { rule: 'organisation.system_administrator_required' });
    },
  );

  it('refuses an ORI that already exists', () => {
    given([created()]).when(create()).thenThrows(InvalidStateError, { rule: 'organisation.already_exists' });
  });

  it.each(['SUPERIOR_COURT', 'TRIBAL_COURT'] as const)('requires a county for a %s', (kind) => {
    given([]).when(create({ kind, county: undefined })).thenThrows(ValidationError, invalid(['county', 'required_for_court']));
  });

  it('lists every malformed field at once', () => {
    given([])
      .when(create({ ori: 'CA-19', name: ' ', kind: 'COUNTY_JAIL' as never, carposEnabled: 'yes' as never }))
      .thenThrows(ValidationError, invalid(['ori', 'ori_format'], ['name', 'required'], ['kind', 'enum'], ['carposEnabled', 'type']));
  });

  it('refuses CARPOS for the registry operator, which keys no orders', () => {
    given([])
      .when(create({ ori: OPERATOR_ORI, kind: 'REGISTRY_OPERATOR', county: undefined }))
      .thenThrows(ValidationError, invalid(['carposEnabled', 'not_for_registry_operator']));
  });
});

describe('ChangeCarposSetting', () => {
  it('turns CARPOS off for a court', () => {
    given([created()]).when(changeCarpos(false)).then([{ type: 'CarposSettingChanged', data: { carposEnabled: false } }]);
  });

  it('turns it back on', () => {
    given([created(), { type: 'CarposSettingChanged', data: { carposEnabled: false } }])
      .when(changeCarpos(true))
      .then([{ type: 'CarposSettingChanged', data: { carposEnabled: true } }]);
  });

  it('refuses a setting that is already in force', () => {
    given([created()]).when(changeCarpos(true)).thenThrows(InvalidStateError, { rule: 'organisation.carpos_setting_unchanged' });
  });

  it('answers not found for an unknown organisation', () => {
    given([]).when(changeCarpos(true)).thenThrows(NotFoundError, { what: 'organisation', id: COURT_ORI });
  });

  it('refuses anyone but a SYSTEM_ADMINISTRATOR, even the court’s own ADMINISTRATOR', () => {
    given([created()]).when(changeCarpos(false, { actor: actors.admin })).thenThrows(ForbiddenError, {
      rule: 'organisation.system_administrator_required',
    });
  });

  it('refuses CARPOS for the registry operator', () => {
    given([created({ ori: OPERATOR_ORI, kind: 'REGISTRY_OPERATOR', county: undefined, carposEnabled: false })])
      .when(changeCarpos(true, { ori: OPERATOR_ORI }))
      .thenThrows(ValidationError, invalid(['carposEnabled', 'not_for_registry_operator']));
  });
});
