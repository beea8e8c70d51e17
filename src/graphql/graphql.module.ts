import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Config } from '../config/config';
import { IdentityModule } from '../identity/identity.module';
import { IdentityService } from '../identity/identity.service';
import { formatError } from './format-error';
import { inputValidationPipe } from './input-validation';
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
            ...queryLimits(production),
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
      providers: [{ provide: APP_PIPE, useFactory: inputValidationPipe }],
    };
  }
}

/**
 * Limits checked before anything runs (graphql-armor): a request with many aliases would otherwise
 * buy that many argon2 verifications, or expensive queries, for the price of one HTTP request.
 * Five aliased login attempts (DESIGN §4's lockout case) stay within them.
 */
function queryLimits(production: boolean): Pick<ApolloDriverConfig, 'validationRules' | 'plugins' | 'allowBatchedHttpRequests'> {
  const { validationRules, plugins } = new ApolloArmor({
    maxAliases: { n: 15 },
    maxDepth: { n: 12 },
    maxDirectives: { n: 20 },
    maxTokens: { n: 2000 },
    costLimit: { maxCost: 5000 },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  // The same @apollo/server at run time; only its CommonJS and ESM typings differ, which
  // TypeScript reads as two plugin types.
  return { validationRules, plugins: plugins as ApolloDriverConfig['plugins'], allowBatchedHttpRequests: false };
}
