/** OpenAPI paths of operator alerting (merged into /api/v1/openapi.json). */
export function alertPaths(error: object) {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const tenant = { name: 'tenant_id', in: 'query', schema: { type: 'string', format: 'uuid' }, description: "Admin key only: act on this tenant's channels (default: the platform's)" };
  const page = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
    { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
  ];
  const kinds = ['email', 'webhook', 'slack', 'discord', 'msteams', 'pagerduty', 'ntfy'];
  const channel = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      kind: { type: 'string', enum: kinds },
      name: { type: 'string' },
      config: { type: 'object', description: 'What may be shown again: the address, or the receiver host; never a secret' },
      default: { type: 'boolean', description: 'Given to checks created after it; alerts with no routing go to the default channels' },
      state: { type: 'string', enum: ['active', 'unconfirmed', 'failing', 'quarantined'] },
      tenant_id: { type: ['string', 'null'] },
      confirmed_at: { type: ['string', 'null'], format: 'date-time' },
      failing_since: { type: ['string', 'null'], format: 'date-time' },
      quarantined_at: { type: ['string', 'null'], format: 'date-time' },
      last_error: { type: ['string', 'null'] },
      secret: { type: 'object', description: 'Only in the answer that set it (create, or PATCH with a new config): the URL, routing key, token or whsec_ signing secret' },
    },
  };
  const body = {
    type: 'object',
    required: ['kind', 'name', 'config'],
    properties: {
      kind: { type: 'string', enum: kinds },
      name: { type: 'string', maxLength: 100 },
      default: { type: 'boolean' },
      config: {
        type: 'object',
        description:
          'email {"to"}; webhook {"url"} (Standard Webhooks signed); slack {"url"} (incoming webhook); discord {"url"}; msteams {"url"} (Workflows webhook); pagerduty {"routing_key"} (Events API v2); ntfy {"url","token"?}',
      },
    },
  };
  const json = (schema: object) => ({ content: { 'application/json': { schema } } });
  return {
    '/channels': {
      post: {
        operationId: 'createChannel',
        summary: 'Create an alert channel (a tenant key: its tenant; the admin key: the platform). An email address gets alerts after it confirms a link.',
        parameters: [tenant, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
        requestBody: json(body),
        responses: { '201': { description: 'The channel, with its secret (shown this once)', ...json(channel) }, '400': err('Bad kind, name or config, or a non-public URL'), '409': err('A channel with this name exists') },
      },
      get: { operationId: 'listChannels', summary: 'Alert channels', parameters: [tenant, ...page], responses: { '200': { description: '{"data":[channel],"next_cursor":string|null}' } } },
    },
    '/channels/{id}': {
      get: { operationId: 'getChannel', summary: 'An alert channel (no secrets)', parameters: [id, tenant], responses: { '200': json(channel), '404': err('Not found') } },
      patch: {
        operationId: 'updateChannel',
        summary: 'Rename, make default, or give a new config (its secret is returned once; a new email address confirms again)',
        parameters: [id, tenant],
        requestBody: json({ type: 'object', properties: { name: { type: 'string' }, default: { type: 'boolean' }, config: { type: 'object' } } }),
        responses: { '200': json(channel), '400': err('Bad field'), '404': err('Not found') },
      },
      delete: { operationId: 'deleteChannel', summary: 'Delete an alert channel', parameters: [id, tenant], responses: { '204': { description: 'Deleted' }, '404': err('Not found') } },
    },
    '/channels/{id}/test': {
      post: {
        operationId: 'testChannel',
        summary: 'Send a test alert now; a success lifts a quarantine',
        parameters: [id, tenant],
        responses: { '200': { description: '{"delivered":true} or {"delivered":false,"status":number|null,"error":string}' }, '404': err('Not found'), '409': err('Email address not confirmed') },
      },
    },
    '/alerts': {
      get: { operationId: 'listAlerts', summary: 'What was alerted, newest first (the events each channel was sent)', parameters: [tenant, ...page], responses: { '200': { description: '{"data":[alert],"next_cursor":string|null}' } } },
    },
  };
}
