/** OpenAPI paths of API key management and ping key rotation (merged into /api/v1/openapi.json). */
export function keyPaths(error: object) {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  const json = (schema: object) => ({ content: { 'application/json': { schema } } });
  const tenant = { name: 'tenant_id', in: 'query', schema: { type: 'string', format: 'uuid' } };
  const idempotencyKey = { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 }, description: 'A replay answers the same status and body, with the secret replaced by "<shown once>" and a note' };
  const key = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      prefix: { type: 'string', description: 'The first characters of the key, to recognise it' },
      name: { type: 'string' },
      kind: { type: 'string', enum: ['admin', 'tenant'] },
      tenant_id: { type: ['string', 'null'], format: 'uuid' },
      read_only: { type: 'boolean' },
      origin: { type: 'string', enum: ['configured', 'generated', 'api'], description: 'OVERDUE_ADMIN_KEY, generated at first start, or made through the API' },
      created_at: { type: 'string', format: 'date-time' },
      last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'Recorded at most once a minute' },
      revoked_at: { type: ['string', 'null'], format: 'date-time' },
    },
  };
  return {
    '/keys': {
      get: {
        operationId: 'listKeys',
        summary: "API keys, oldest first (the admin key: every key; a tenant key: its tenant's)",
        parameters: [
          { ...tenant, description: "Admin key: only this tenant's keys" },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
        ],
        responses: { '200': { description: '{"data":[key],"next_cursor":string|null}' }, '403': err('A tenant key naming another tenant') },
      },
      post: {
        operationId: 'createKey',
        summary: 'Create an API key; the plain key is in this answer only (stored hashed)',
        parameters: [idempotencyKey],
        requestBody: json({
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 100 },
            read_only: { type: 'boolean', default: false },
            tenant_id: { type: 'string', format: 'uuid', description: "Admin key: the tenant of a tenant key (a tenant key: only its own)" },
            kind: { type: 'string', enum: ['admin', 'tenant'], description: 'Default: tenant when tenant_id is given or the caller is a tenant key, else admin (admin key only)' },
          },
        }),
        responses: {
          '201': { description: 'The key, with `key`: the plain key, shown this once', ...json({ ...key, properties: { ...key.properties, key: { type: 'string' } } }) },
          '400': err('Bad field, or no such tenant'),
          '403': err('A read-only key; a tenant key asking for an admin key or another tenant'),
        },
      },
    },
    '/keys/{id}': {
      delete: {
        operationId: 'revokeKey',
        summary: 'Revoke an API key: its next request is 401',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'The revoked key', ...json(key) },
          '403': err('A read-only key'),
          '404': err("No such key (another tenant's key is not found)"),
          '409': err('The key configured in OVERDUE_ADMIN_KEY: change the configuration instead'),
        },
      },
    },
    '/ping-keys/rotate': {
      post: {
        operationId: 'rotatePingKey',
        summary: "Give a tenant's ping key (a tenant key: its own; the admin key: the platform's, or a tenant's with tenant_id) a new value: the old one stops working for /ping/<ping-key>/<slug> at once, checks keep their slugs under the new one",
        parameters: [{ ...tenant, description: "Admin key: rotate this tenant's ping key instead of the platform's" }, idempotencyKey],
        responses: {
          '200': { description: 'The new ping key, shown this once', ...json({ type: 'object', properties: { tenant_id: { type: ['string', 'null'], format: 'uuid' }, ping_key: { type: 'string' } } }) },
          '403': err('A read-only key, or a tenant key naming another tenant'),
          '404': err('No such tenant'),
        },
      },
    },
  };
}
