import { DomainEvent } from '../decider/decider';

/**
 * Events of the `org-<ORI>` stream: a court, tribal court, law enforcement agency or the
 * registry operator itself, keyed by its NCIC ORI (DESIGN §2, §4).
 */

export const ORGANISATION_KINDS = ['SUPERIOR_COURT', 'TRIBAL_COURT', 'LAW_ENFORCEMENT', 'REGISTRY_OPERATOR'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** Courts belong to a county: it scopes Quick Attach searches and the monthly reports. */
export const COURT_KINDS: readonly OrganisationKind[] = ['SUPERIOR_COURT', 'TRIBAL_COURT'];

export type OrganisationCreated = DomainEvent<
  'OrganisationCreated',
  { ori: string; name: string; kind: OrganisationKind; county?: string; carposEnabled: boolean }
>;
/** Whether the registry forwards this organisation's orders to CARPOS (DESIGN §7). */
export type CarposSettingChanged = DomainEvent<'CarposSettingChanged', { carposEnabled: boolean }>;

export type OrganisationEvent = OrganisationCreated | CarposSettingChanged;

export interface OrganisationState {
  /** null until the organisation is created. */
  organisation: OrganisationCreated['data'] | null;
}

export function initialOrganisationState(): OrganisationState {
  return { organisation: null };
}

export function evolve(state: OrganisationState, event: OrganisationEvent): OrganisationState {
  switch (event.type) {
    case 'OrganisationCreated':
      return { organisation: event.data };
    case 'CarposSettingChanged':
      return { organisation: state.organisation && { ...state.organisation, carposEnabled: event.data.carposEnabled } };
  }
}
