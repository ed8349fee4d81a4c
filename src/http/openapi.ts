/** A feature's OpenAPI paths, given the shared error schema reference. */
export type OpenApiPaths = (error: object) => Record<string, unknown>;

/**
 * OpenAPI description of our own /api/v1. Each feature declares its paths
 * next to its routes; the composition root hands them in.
 */
export function openApiDocument(features: OpenApiPaths[]) {
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
      ...Object.assign({}, ...features.map((paths) => paths(error))),
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
