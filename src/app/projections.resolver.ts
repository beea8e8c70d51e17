import { Inject, OnModuleInit } from '@nestjs/common';
import { Context, Field, Float, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { allProjections } from '../../projections';
import { can, toDomainError } from '../access/access-policy';
import { EventStore } from '../event-store/event-store.port';
import type { RequestContext } from '../graphql/request-context';
import { PostgresConnection } from '../postgres/postgres-connection';
import { ensureRegistrySchema } from '../projection-engine/projection-registry';
import { projectionStatus } from '../projection-engine/projection-status';
import { EVENT_STORE, POSTGRES } from './infrastructure.module';

@ObjectType('ProjectionStatus')
class ProjectionStatusType {
  @Field() name!: string;
  @Field(() => Int) generation!: number;
  @Field(() => Int) version!: number;
  @Field({ description: 'live, or building beside the live one' }) state!: string;
  @Field({ description: 'Global position of the last event applied (a 64-bit number, as text).' }) checkpoint!: string;
  @Field({ description: 'Events applied by this generation (as text).' }) eventsApplied!: string;
  @Field(() => Int) lagEvents!: number;
  @Field(() => Float) lagSeconds!: number;
  @Field(() => String, { nullable: true, description: 'Why the projection stopped, naming the event.' }) error!: string | null;
}

/** Operations' view of the read models (DESIGN §8): the same figures as `npm run projections -- status`. */
@Resolver()
export class ProjectionsResolver implements OnModuleInit {
  constructor(
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** An api process may start before any projector has: the registry is then simply empty. */
  async onModuleInit(): Promise<void> {
    await ensureRegistrySchema(this.postgres.pool);
  }

  @Query(() => [ProjectionStatusType])
  async projections(@Context() context: RequestContext): Promise<ProjectionStatusType[]> {
    const { principal } = await context.authenticated();
    const decision = can(principal, 'projections.view');
    if (!decision.allowed) throw toDomainError(decision, 'projections', 'status');
    const statuses = await projectionStatus(this.postgres.pool, this.store, allProjections);
    return statuses.map((s) => ({ ...s, checkpoint: s.checkpoint.toString(), eventsApplied: s.eventsApplied.toString() }));
  }
}
