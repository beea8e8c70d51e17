import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { Role } from '../access/access-policy';
import { CommandEnvelope, CommandHandler } from '../command-handling/command-handler';
import { loadConfig } from '../config/config';
import type { DomainEvent } from '../decider/decider';
import type { EventStore } from '../event-store/event-store.port';
import { organisationDecider, organisationStream } from '../identity/organisation.decider';
import { OrganisationKind, OrganisationState } from '../identity/organisation.events';
import { hashPassword } from '../identity/password-hasher';
import { validatePassword } from '../identity/password-policy';
import { accountIdFor } from '../identity/user-account-id';
import { userDecider, userStream } from '../identity/user.decider';
import type { Court } from '../orders/order-data';
import { orderDecider, orderStream } from '../orders/order.decider';
import type { Actor } from '../shared/actor';
import { InvalidStateError } from '../shared/domain-error';
import { normaliseOri } from '../shared/ori';
import { COURTS, OrderGenerator } from './order-generator';
import { orderLifecycle } from './order-lifecycle';

/**
 * A demo registry a newcomer can log in to: a few courts and a sheriff's office, a user per
 * role in each, and generated orders with realistic histories, all sent through the real
 * command pipeline and deciders. Every command id is derived from fixed names and the seed,
 * so a second run finds the first run's commands and appends nothing.
 */

export const DEFAULT_DEMO_SEED = 2026;

// Fixed namespace of the demo's command and order ids. Never change it: a later run must
// derive the ids an earlier run used.
const DEMO_NAMESPACE = parseUuid('7ab717b6-c8c1-4f60-bd70-c1047284241d');

/** Who acts for the seed: recorded as such in the events, like the bootstrap's `system:bootstrap`. */
const SEED_USER_ID = 'system:demo-seed';

/** Orders in flight at once: enough to keep PostgreSQL busy, few enough to stay under the pool size. */
const CONCURRENCY = 8;

const DAY_MS = 86_400_000;
// Order histories start between these many days before `now`; steps a lifecycle would take
// after `now` are left out, so recent orders are still waiting for service or correction. The
// cut depends only on the order (its start's distance from `now`), so every run makes the same.
const NEWEST_START_DAYS = 3;
const OLDEST_START_DAYS = 730;

interface OrganisationSpec {
  ori: string;
  name: string;
  kind: OrganisationKind;
  county?: string;
  carposEnabled: boolean;
}

type CourtSpec = OrganisationSpec & Court;

const SUPERIOR_COURTS: CourtSpec[] = COURTS.slice(0, 5).map(({ ori, county }, index) => ({
  ori,
  county,
  name: `Superior Court of California, County of ${county}`,
  kind: 'SUPERIOR_COURT',
  // Some courts forward to CARPOS and some do not, so both paths have data.
  carposEnabled: index < 3,
}));
const TRIBAL_COURT: CourtSpec = {
  ori: 'CA012095J',
  county: 'Humboldt',
  name: 'Northern California Tribal Court (demo)',
  kind: 'TRIBAL_COURT',
  carposEnabled: false,
};
const SHERIFF: OrganisationSpec = {
  ori: 'CA0010000',
  county: 'Alameda',
  name: "Alameda County Sheriff's Office",
  kind: 'LAW_ENFORCEMENT',
  carposEnabled: false,
};
const ISSUING_COURTS = [...SUPERIOR_COURTS, TRIBAL_COURT];

/** A user per role. */
interface StaffSpec {
  prefix: string;
  title: string;
  roles: Role[];
  cletsCertified: boolean;
}
const loginName = ({ prefix }: StaffSpec, ori: string) => `${prefix}-${ori.toLowerCase()}`;
const ADMINISTRATOR: StaffSpec = { prefix: 'admin', title: 'Administrator', roles: ['ADMINISTRATOR'], cletsCertified: false };
/** orderLifecycle issues every order as its court's `clerk-<ori>`. */
const COURT_STAFF: StaffSpec[] = [
  ADMINISTRATOR,
  { prefix: 'qo', title: 'Query-only user', roles: ['QUERY_ONLY'], cletsCertified: false },
  { prefix: 'qos', title: 'Sealed query-only user', roles: ['QUERY_ONLY_SEALED'], cletsCertified: false },
  { prefix: 'qu', title: 'Query and update user', roles: ['QUERY_UPDATE'], cletsCertified: false },
  { prefix: 'clerk', title: 'Clerk', roles: ['QUERY_UPDATE_SEALED'], cletsCertified: true },
];
const AGENCY_STAFF: StaffSpec[] = [ADMINISTRATOR, { prefix: 'deputy', title: 'Deputy', roles: ['QUERY_ONLY'], cletsCertified: true }];
const USERS = [
  ...ISSUING_COURTS.flatMap(({ ori }) => COURT_STAFF.map((spec) => ({ ...spec, ori }))),
  ...AGENCY_STAFF.map((spec) => ({ ...spec, ori: SHERIFF.ori })),
].map((user) => ({ ...user, userId: loginName(user, user.ori) }));

export interface SeedOptions {
  orders: number;
  /** Same seed, same orders (default DEFAULT_DEMO_SEED); another seed adds other orders. */
  seed?: number;
  /** Of every user this run creates; users that exist keep theirs. */
  password: string;
  /** Every seeded event happens before this instant. */
  now: Date;
  /** Default: the configuration's default REGISTRY_OPERATOR_ORI. */
  registryOperatorOri?: string;
  /** Called after each order. */
  progress?: (done: number, total: number) => void;
}

/** created: false when an earlier run (or the app's bootstrap, for the operator) made it. */
export type SeededOrganisation = NonNullable<OrganisationState['organisation']> & { created: boolean };
export interface SeededUser {
  userId: string;
  organisation: string;
  roles: Role[];
  cletsCertified: boolean;
  created: boolean;
}
export interface SeedSummary {
  organisations: SeededOrganisation[];
  users: SeededUser[];
  /** created: orders this run appended anything to; existing: orders an earlier run made in full. */
  orders: { created: number; existing: number };
}

export async function seedDemo(store: EventStore, options: SeedOptions): Promise<SeedSummary> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  for (const { userId } of USERS) validatePassword(options.password, userId);
  const passwordHash = await hashPassword(options.password);
  const operatorOri = normaliseOri(options.registryOperatorOri ?? loadConfig({}).REGISTRY_OPERATOR_ORI);
  const systemAdministrator: Actor = { userId: SEED_USER_ID, organisation: operatorOri, roles: ['SYSTEM_ADMINISTRATOR'] };
  // The organisations and their users exist from before the oldest order.
  const establishedAt = new Date(options.now.getTime() - (OLDEST_START_DAYS + 1) * DAY_MS).toISOString();
  const organisationCommands = new CommandHandler(store, organisationDecider);
  const userCommands = new CommandHandler(store, userDecider);

  const organisation = async (spec: OrganisationSpec): Promise<SeededOrganisation> => {
    const stream = organisationStream(spec.ori);
    const { state, created } = await createUnlessThere(
      organisationCommands,
      stream,
      { type: 'CreateOrganisation', ...spec, now: establishedAt, actor: systemAdministrator },
      envelope(idFor(`create ${stream}`), systemAdministrator, establishedAt),
    );
    return { ...state.organisation!, created };
  };
  const operator = await organisation({ ori: operatorOri, name: 'Registry operator', kind: 'REGISTRY_OPERATOR', carposEnabled: false });
  if (operator.kind !== 'REGISTRY_OPERATOR') {
    throw new Error(`REGISTRY_OPERATOR_ORI ${operatorOri} is a ${operator.kind}, not the registry operator`);
  }
  const organisations = [operator];
  for (const spec of [...ISSUING_COURTS, SHERIFF]) organisations.push(await organisation(spec));

  const users: SeededUser[] = [];
  for (const planned of USERS) {
    const { name, kind } = organisations.find((o) => o.ori === planned.ori)!;
    // The user decider lets a SYSTEM_ADMINISTRATOR appoint administrators and leaves every
    // other user to the organisation's own ADMINISTRATOR.
    const actor: Actor = planned.roles.includes('ADMINISTRATOR')
      ? systemAdministrator
      : { userId: loginName(ADMINISTRATOR, planned.ori), organisation: planned.ori, roles: ['ADMINISTRATOR'] };
    const accountId = accountIdFor(planned.userId);
    const stream = userStream(accountId);
    const { state, created } = await createUnlessThere(
      userCommands,
      stream,
      {
        type: 'CreateUser',
        accountId,
        now: establishedAt,
        actor,
        userId: planned.userId,
        displayName: `${planned.title}, ${name}`,
        organisation: { ori: planned.ori, kind },
        roles: planned.roles,
        cletsCertified: planned.cletsCertified,
        passwordHash,
      },
      envelope(idFor(`create ${stream}`), actor, establishedAt),
    );
    const { userId, organisation: ori, roles, cletsCertified } = state.profile!;
    users.push({ userId, organisation: ori, roles, cletsCertified, created });
  }

  return { organisations, users, orders: await seedOrders(store, options, seed) };
}

/** The orders, CONCURRENCY at a time; each order's commands in sequence. */
async function seedOrders(store: EventStore, options: SeedOptions, seed: number): Promise<SeedSummary['orders']> {
  const handler = new CommandHandler(store, orderDecider);
  const courts: Court[] = ISSUING_COURTS.map(({ ori, county }) => ({ ori, county }));
  const generator = new OrderGenerator(seed, { courts });
  const now = options.now.getTime();
  const counts = { created: 0, existing: 0 };
  let next = 0;
  let done = 0;

  const worker = async () => {
    while (next < options.orders) {
      const number = next++;
      try {
        const orderId = idFor(`${seed} order ${number}`);
        // The generator is consumed in order-number order (this runs before any await), so
        // order n is the same order in every run with this seed.
        const startDaysAgo = NEWEST_START_DAYS + uniformFrom(orderId) * (OLDEST_START_DAYS - NEWEST_START_DAYS);
        const commands = orderLifecycle(generator, orderId, new Date(now - startDaysAgo * DAY_MS)).filter((command) => Date.parse(command.now) <= now);
        let appended = false;
        for (const [index, command] of commands.entries()) {
          const result = await handler.handle(orderStream(orderId), command, envelope(idFor(`${orderId} command ${index}`), command.actor, command.now));
          appended ||= !result.replayed;
        }
        counts[appended ? 'created' : 'existing']++;
      } catch (error) {
        next = options.orders; // the other workers stop after their current order
        throw error;
      }
      options.progress?.(++done, options.orders);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return counts;
}

/**
 * Sends a creating command. A repeated run's command is a replay; a stream made some other
 * way (the app's bootstrap made the operator) answers `already_exists`: both keep what is there.
 */
async function createUnlessThere<Command, Event extends DomainEvent, State>(
  handler: CommandHandler<Command, Event, State>,
  stream: string,
  command: Command,
  commandEnvelope: CommandEnvelope,
): Promise<{ state: State; created: boolean }> {
  try {
    const result = await handler.handle(stream, command, commandEnvelope);
    return { state: result.state, created: !result.replayed };
  } catch (error) {
    if (!(error instanceof InvalidStateError && error.rule.endsWith('.already_exists'))) throw error;
    return { state: handler.fold(await handler.load(stream)), created: false };
  }
}

function envelope(commandId: string, actor: Actor, occurredAt: string): CommandEnvelope {
  return { commandId, actor: { userId: actor.userId, organisation: actor.organisation, role: actor.roles.join(',') }, occurredAt };
}

function idFor(name: string): string {
  return uuidv5(name, DEMO_NAMESPACE);
}

/** A number in [0, 1) from a v5 uuid's leading (SHA-1) bits: spread evenly, and the same every run. */
function uniformFrom(uuid: string): number {
  return parseInt(uuid.slice(0, 8), 16) / 2 ** 32;
}
