/** OpenAPI paths of the scheduler's operator API (merged into /api/v1/openapi.json). */
export function jobPaths(error: object) {
  return {
    '/jobs': {
      get: {
        summary: 'Scheduler jobs (admin key): schedule, zone, next slot, last run, state, lag',
        responses: { '200': { description: '{"data":[job],"next_cursor":null}' }, '401': { description: 'No key', content: { 'application/json': { schema: error } } }, '403': { description: 'Not the admin key', content: { 'application/json': { schema: error } } } },
      },
    },
    '/jobs/{key}/runs': {
      get: {
        summary: "A job's runs, newest first",
        parameters: [
          { name: 'key', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'next_cursor of the previous page' },
        ],
        responses: { '200': { description: '{"data":[run],"next_cursor":string|null}' }, '404': { description: 'No such job', content: { 'application/json': { schema: error } } } },
      },
    },
    '/jobs/{key}/run': {
      post: {
        summary: 'Run a job now: without a body the latest slot that is due, with {"slot"} that slot (idempotent: a succeeded slot is returned as it is)',
        parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', required: ['slot'], properties: { slot: { type: 'string', format: 'date-time' } } } } } },
        responses: {
          '200': { description: 'The run' },
          '400': { description: 'Not a slot of the job, or in the future', content: { 'application/json': { schema: error } } },
          '409': { description: 'A run of the job is in progress', content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/jobs/{key}/pause': { post: { summary: 'Pause a job', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: '{"key","paused":true}' } } } },
    '/jobs/{key}/resume': { post: { summary: 'Resume a job', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: '{"key","paused":false}' } } } },
  };
}
