import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/access/access-policy';
import { Api, GraphqlBody, PASSWORD, tokenOf } from './api';

/**
 * Organisations and users for api specs, made through the administrative mutations themselves,
 * so every spec that needs a court clerk also exercises the way real ones are made.
 */

export const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!, $key: String!) {
  createOrganization(input: $input, idempotencyKey: $key) { ori name kind county carposEnabled }
}`;

export const CREATE_USER = `mutation ($input: CreateUserInput!, $key: String!) {
  createUser(input: $input, idempotencyKey: $key) { userId displayName organisation roles cletsCertified disabled lockedOut }
}`;

export interface OrganisationFixture {
  ori: string;
  name?: string;
  kind?: 'SUPERIOR_COURT' | 'TRIBAL_COURT' | 'LAW_ENFORCEMENT';
  county?: string;
  carposEnabled?: boolean;
}

/** The ADMINISTRATOR `provisionOrganisation` makes for an organisation. */
export function administratorOf(ori: string): string {
  return `admin-${ori.toLowerCase()}`;
}

/**
 * Creates the organisation (a superior court unless told otherwise) and its ADMINISTRATOR
 * `admin-<ori>` with PASSWORD, leaving either alone when a previous call already made it.
 */
export async function provisionOrganisation(api: Api, sysadminToken: string, org: OrganisationFixture): Promise<void> {
  const { ori, name = `Court ${ori}`, kind = 'SUPERIOR_COURT', county = 'Alameda', carposEnabled = false } = org;
  const input = { ori, name, kind, county, carposEnabled };
  unlessAlreadyExists(await api.post(CREATE_ORGANIZATION, { input, key: randomUUID() }, sysadminToken), `organisation ${ori}`);
  const admin = { userId: administratorOf(ori), displayName: `Administrator of ${ori}`, organisation: ori, roles: ['ADMINISTRATOR'], cletsCertified: false, password: PASSWORD };
  unlessAlreadyExists(await api.post(CREATE_USER, { input: admin, key: randomUUID() }, sysadminToken), `administrator of ${ori}`);
}

/** Creates the user through the organisation's administrator, with PASSWORD, and logs them in. */
export async function provisionUser(api: Api, org: string, user: { userId: string; roles: Role[]; cletsCertified?: boolean }): Promise<string> {
  const { userId, roles, cletsCertified = false } = user;
  const input = { userId, displayName: `User ${userId}`, organisation: org, roles, cletsCertified, password: PASSWORD };
  const created = await api.post(CREATE_USER, { input, key: randomUUID() }, await tokenOf(api, administratorOf(org)));
  if (created.errors) throw new Error(`creating ${userId} refused: ${JSON.stringify(created.errors)}`);
  return tokenOf(api, userId);
}

function unlessAlreadyExists(body: GraphqlBody, what: string): void {
  const refusals = (body.errors ?? []).filter((error) => !String(error.extensions?.rule).endsWith('.already_exists'));
  if (refusals.length > 0) throw new Error(`creating ${what} refused: ${JSON.stringify(refusals)}`);
}
