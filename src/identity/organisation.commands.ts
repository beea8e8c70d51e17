import { z } from 'zod';
import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../shared/domain-error';
import { normaliseOri, OriSchema } from '../shared/ori';
import { parseOrThrow } from '../shared/zod-violations';
import { Actor, isSystemAdministrator } from './authority';
import { COURT_KINDS, ORGANISATION_KINDS, OrganisationEvent, OrganisationKind, OrganisationState } from './organisation.events';

/**
 * Commands on one organisation and the pure `decide`. Only the registry operator's system
 * administrators create and configure organisations (DESIGN §4); checks run authority →
 * existence → input, so a caller without authority learns nothing about which ORIs exist.
 */

interface CommandBase<Type extends string> {
  type: Type;
  /** The organisation's ORI; also its stream key. */
  ori: string;
  /** ISO instant at which the command was accepted. */
  now: string;
  actor: Actor;
}

/** county is required for courts and optional for others (a sheriff has one, a state agency not). */
export type CreateOrganisation = CommandBase<'CreateOrganisation'> & {
  name: string;
  kind: OrganisationKind;
  county?: string;
  carposEnabled: boolean;
};
export type ChangeCarposSetting = CommandBase<'ChangeCarposSetting'> & { carposEnabled: boolean };

export type OrganisationCommand = CreateOrganisation | ChangeCarposSetting;

export function decide(command: OrganisationCommand, state: OrganisationState): OrganisationEvent[] {
  requireSystemAdministrator(command);
  switch (command.type) {
    case 'CreateOrganisation':
      return create(command, state);
    case 'ChangeCarposSetting':
      return changeCarposSetting(command, state);
  }
}

function create(command: CreateOrganisation, state: OrganisationState): OrganisationEvent[] {
  if (state.organisation) {
    throw new InvalidStateError('organisation.already_exists', `organisation ${state.organisation.ori} already exists`);
  }
  const data = parseOrThrow(CreateSchema, command);
  if (COURT_KINDS.includes(data.kind) && data.county === undefined) {
    throw ValidationError.single('county', 'required_for_court', `is required for a ${data.kind}`);
  }
  requireCarposAllowed(data.kind, data.carposEnabled);
  return [{ type: 'OrganisationCreated', data }];
}

function changeCarposSetting(command: ChangeCarposSetting, state: OrganisationState): OrganisationEvent[] {
  const { organisation } = state;
  if (!organisation) throw new NotFoundError('organisation', normaliseOri(command.ori));
  const { carposEnabled } = parseOrThrow(CarposSchema, command);
  requireCarposAllowed(organisation.kind, carposEnabled);
  if (organisation.carposEnabled === carposEnabled) {
    throw new InvalidStateError(
      'organisation.carpos_setting_unchanged',
      `CARPOS is already ${carposEnabled ? 'enabled' : 'disabled'} for ${organisation.ori}`,
    );
  }
  return [{ type: 'CarposSettingChanged', data: { carposEnabled } }];
}

function requireSystemAdministrator({ actor }: OrganisationCommand): void {
  if (!isSystemAdministrator(actor)) {
    throw new ForbiddenError('organisation.system_administrator_required', 'only a SYSTEM_ADMINISTRATOR creates and configures organisations');
  }
}

/** The registry operator keys no orders, so it has nothing to forward to DOJ. */
function requireCarposAllowed(kind: OrganisationKind, carposEnabled: boolean): void {
  if (carposEnabled && kind === 'REGISTRY_OPERATOR') {
    throw ValidationError.single('carposEnabled', 'not_for_registry_operator', 'must be false for the REGISTRY_OPERATOR');
  }
}

const text = (max: number) => z.string().trim().min(1).max(max);

const CreateSchema = z.object({
  ori: OriSchema,
  name: text(100),
  kind: z.enum(ORGANISATION_KINDS),
  county: text(50).optional(),
  carposEnabled: z.boolean(),
});

const CarposSchema = z.object({ carposEnabled: z.boolean() });
