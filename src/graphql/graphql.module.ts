import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Config } from '../config/config';
import { IdentityModule } from '../identity/identity.module';
import { IdentityService } from '../identity/identity.service';
import { formatError } from './format-error';
import { requestContext } from './request-context';

/**
 * The GraphQL api (DESIGN §12), code-first: the schema is generated from the resolvers'
 * decorators. In production, introspection and "did you mean" suggestions are off, so the
 * schema is not handed to whoever probes the endpoint.
 */
@Module({})
export class ApiGraphqlModule {
  static forRoot(config: Config): DynamicModule {
    const production = config.NODE_ENV === 'production';
    return {
      module: ApiGraphqlModule,
      imports: [
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [IdentityModule],
          inject: [IdentityService],
          useFactory: (identity: IdentityService) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            introspection: !production,
            hideSchemaDetailsFromClientErrors: production,
            includeStacktraceInErrorResponses: false,
            formatError,
            context: ({ req }: { req: Request }) => requestContext(identity, req),
          }),
        }),
      ],
    };
  }
}
