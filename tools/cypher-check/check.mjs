// Lint Cypher statements with Neo4j's Cypher 5 front end (@neo4j-cypher/language-support).
// stdin: a JSON array of {"name", "query"}; stdout: a JSON array of {"name", "errors": [...]}.
// The schema lists Neo4j 5's built-in procedures and functions (the package's own listing of a
// Neo4j 5 server), so a misspelt procedure fails; every $parameter a statement uses is declared.
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
const base = testData.mockSchema;
const results = input.map(({ name, query }) => {
  const parameters = Object.fromEntries(
    [...query.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [m[1], null]),
  );
  const schema = {
    procedures: base.procedures,
    functions: base.functions,
    parameters,
    defaultLanguage: 'CYPHER 5',
  };
  const { diagnostics } = lintCypherQuery(query, schema);
  const errors = diagnostics.filter((d) => d.severity === 1).map((d) => d.message);
  return { name, errors };
});
process.stdout.write(JSON.stringify(results));
