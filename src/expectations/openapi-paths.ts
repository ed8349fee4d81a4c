/** OpenAPI paths of the expectations API (merged into /api/v1/openapi.json). */
export function expectationPaths(error: object) {
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  return {
    '/expectations': { get: { summary: 'Expectations loaded from checks/, with their state', responses: { '200': { description: '{"data":[expectation],"next_cursor":null}' }, '401': err('No key') } } },
    '/expectations/{id}': {
      get: { summary: 'Definition, state, latest result and the failing tenants (a tenant key sees only its own)', parameters: id, responses: { '200': { description: 'The expectation' }, '404': err('Not found') } },
    },
    '/expectations/{id}/results': {
      get: {
        summary: 'Evaluation results, newest first',
        parameters: [...id, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } }, { name: 'cursor', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: '{"data":[result],"next_cursor":string|null}' } },
      },
    },
    '/expectations/{id}/evaluate': {
      post: {
        summary:
          'Evaluate now (remediates a failure and re-verifies). The admin key evaluates for everyone and stores the result; a tenant key evaluates a forEachTenant expectation for its own tenant only (repairing its own missing invoice runs), stores nothing shared and writes no signals',
        parameters: id,
        responses: {
          '200': { description: 'The result (a tenant key: {"id":null,"scope":"tenant",…,"repaired"})' },
          '403': err('A platform-scope expectation with a tenant key'),
          '404': err('Not found'),
          '409': err('Archived'),
        },
      },
    },
  };
}
