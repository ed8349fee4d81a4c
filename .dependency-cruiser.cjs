// The house dependency rules (docs/architecture.md, "Dependency rule"), checked in CI by
// `npm run lint:deps`. A rule names the folders; a new feature folder goes in FEATURES.
const FEATURES = '(heartbeats|scheduler|billing|expectations|incidents|notify|status|alerts|console|signals)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'feature-through-public-module',
      comment:
        'A feature uses another feature only through its public module (index.ts) or its service; ' +
        'shared contracts live in signals/ and time/.',
      severity: 'error',
      from: { path: `^src/${FEATURES}/` },
      to: { path: `^src/${FEATURES}/`, pathNot: [`^src/$1/`, `^src/${FEATURES}/(index|service)\\.ts$`] },
    },
    {
      name: 'table-types-only',
      comment: 'A table.ts declares its rows with kysely types and imports nothing else.',
      severity: 'error',
      from: { path: 'table\\.ts$' },
      to: { pathNot: ['kysely'] },
    },
    {
      name: 'infrastructure-knows-no-feature',
      comment: 'http/, db/ and auth/ import no feature; db/database.ts composes the features\' table.ts files (the schema registry).',
      severity: 'error',
      from: { path: '^src/(http|db|auth)/', pathNot: '^src/db/database\\.ts$' },
      to: { path: `^src/${FEATURES}/` },
    },
    {
      name: 'schema-registry-reads-tables-only',
      comment: 'The schema registry imports only table declarations.',
      severity: 'error',
      from: { path: '^src/db/database\\.ts$' },
      to: { path: `^src/${FEATURES}/`, pathNot: 'table\\.ts$' },
    },
    {
      name: 'time-is-pure',
      comment: 'time/ is a shared contract of pure functions: it imports no feature and no infrastructure.',
      severity: 'error',
      from: { path: '^src/time/' },
      to: { path: `^src/(${FEATURES.slice(1, -1)}|http|db|auth)/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
  },
};
