import { invoicePaths } from '../billing/openapi-paths.js';
import { expectationPaths } from '../expectations/openapi-paths.js';

/**
 * OpenAPI description of our own /api/v1. Features add their paths here as
 * they land, next to their routes.
 */
export function openApiDocument() {
  const error = { $ref: '#/components/schemas/Error' };
  return {
    openapi: '3.1.0',
    info: { title: 'Overdue API', version: '1' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
    paths: {
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
          summary: 'Run one slot of a job now (idempotent: a succeeded slot is returned as it is)',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['slot'], properties: { slot: { type: 'string', format: 'date-time' } } } } } },
          responses: {
            '200': { description: 'The run' },
            '400': { description: 'Not a slot of the job, or in the future', content: { 'application/json': { schema: error } } },
            '409': { description: 'A run of the job is in progress', content: { 'application/json': { schema: error } } },
          },
        },
      },
      '/jobs/{key}/pause': { post: { summary: 'Pause a job', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: '{"key","paused":true}' } } } },
      '/jobs/{key}/resume': { post: { summary: 'Resume a job', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: '{"key","paused":false}' } } } },
      '/tenants': {
        post: {
          summary: 'Create a tenant (admin key); the response carries its api_key and ping_key, shown once',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['slug', 'name', 'timezone', 'currency'],
                  properties: {
                    slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,49}$' },
                    name: { type: 'string' },
                    timezone: { type: 'string', description: 'IANA zone' },
                    currency: { type: 'string', description: 'ISO 4217' },
                    invoice_schedule: { type: 'string', default: '0 2 * * *' },
                    invoice_grace: { type: 'integer', minimum: 1, default: 1800 },
                    due_days: { type: 'integer', default: 7 },
                    reminder_days: { type: 'array', items: { type: 'integer' }, default: [7, 3, 1] },
                    expiry_grace_days: { type: 'integer', default: 7 },
                  },
                },
              },
            },
          },
          responses: { '201': { description: 'The tenant' }, '400': { description: 'Invalid field', content: { 'application/json': { schema: error } } }, '409': { description: 'Slug taken', content: { 'application/json': { schema: error } } } },
        },
      },
      '/tenants/{id}': { get: { summary: 'A tenant (admin key, or that tenant\'s key)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }], responses: { '200': { description: 'The tenant' }, '404': { description: 'Not found or not yours', content: { 'application/json': { schema: error } } } } } },
      '/accounts': {
        post: {
          summary: "Create a customer account (tenant key)",
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: 'string' }, external_id: { type: 'string' } } } } } },
          responses: { '201': { description: 'The account, with balance' }, '409': { description: 'external_id taken', content: { 'application/json': { schema: error } } } },
        },
      },
      '/accounts/{id}': { get: { summary: 'An account with its balance', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }], responses: { '200': { description: 'The account' }, '404': { description: 'Not found', content: { 'application/json': { schema: error } } } } } },
      '/accounts/{id}/ledger': {
        get: {
          summary: "Movements of the account's balance, newest first",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: '{"data":[entry],"next_cursor":string|null}' } },
        },
      },
      '/accounts/{id}/top-ups': {
        post: {
          summary: 'Credit the balance from an external payment; the same reference never credits twice',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['amount', 'reference'], properties: { amount: { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }] }, reference: { type: 'string' } } } } } },
          responses: { '201': { description: 'Credited' }, '200': { description: 'Already credited for this reference' }, '400': { description: 'Bad amount or reference', content: { 'application/json': { schema: error } } } },
        },
      },
      ...invoicePaths(error),
      ...expectationPaths(error),
      '/me': {
        get: {
          summary: 'The principal behind the presented API key',
          responses: {
            '200': {
              description: 'The key is valid',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      key_id: { type: 'string', format: 'uuid' },
                      kind: { enum: ['admin', 'tenant'] },
                      tenant_id: { type: ['string', 'null'], format: 'uuid' },
                      read_only: { type: 'boolean' },
                    },
                  },
                },
              },
            },
            '401': { description: 'Missing or invalid key', content: { 'application/json': { schema: error } } },
          },
        },
      },
    },
  };
}
