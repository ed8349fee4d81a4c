/**
 * OpenAPI paths of incidents' manual API (merged into /api/v1/openapi.json):
 * components with their publishing choice, incidents with drafts, PATCH and
 * publish, and the parked signals of the incident loop.
 */
export function incidentPaths(error: object) {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
  const publishing = {
    auto_incident: {
      enum: ['publish', 'delay', 'draft'],
      default: 'publish',
      description: 'How automatic incidents of this component go public: at once; after publish_after seconds if still failing (a blip never does); or as a draft an operator publishes',
    },
    publish_after: { type: ['integer', 'null'], minimum: 1, maximum: 86400, description: 'Seconds; required with auto_incident "delay"' },
    incident_template: {
      type: ['string', 'null'],
      maxLength: 140,
      description: 'Public title of its automatic incidents; {component} and {status} are filled in. Null: "{status}: {component}"',
    },
  };
  const markdown = { type: 'string', description: 'Markdown-lite: paragraphs, "- " lists, **bold**, [links](https://…); rendered in time linear in its length' };
  const changes = { type: 'object', additionalProperties: { type: 'string' }, description: 'component id → component status' };
  const component = {
    type: 'object',
    properties: {
      page: { type: 'string', description: 'Page slug (default: the default page)' },
      name: { type: 'string', maxLength: 200 },
      description: { type: ['string', 'null'] },
      group: { type: 'boolean' },
      group_id: { type: ['string', 'null'], format: 'uuid' },
      position: { type: 'integer' },
      status: { enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] },
      showcase: { type: 'boolean' },
      only_show_if_degraded: { type: 'boolean' },
      sources: {
        type: 'array',
        items: { type: 'string', pattern: '^(check:[0-9a-f-]{36}|expectation:[a-z0-9][a-z0-9-]{1,62})$' },
        description:
          'Monitors whose failures open incidents on this component. A tenant key lists its own checks and expectations evaluated for every tenant; platform sources need the admin key; a group lists none',
      },
      ...publishing,
    },
  };
  return {
    '/components': {
      post: {
        summary: 'Create a component (or group) on a page',
        requestBody: { content: { 'application/json': { schema: { ...component, required: ['name'] } } } },
        responses: {
          '201': { description: 'The component with sources, auto_incident, publish_after, incident_template' },
          '400': err('A bad field, or a source the key may not list (unknown, another tenant’s, the platform’s without the admin key, any on a group); nothing is written'),
          '404': err('No such page for this key'),
        },
      },
      get: {
        summary: "A page's components with their sources and publishing choice",
        parameters: [{ name: 'page', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: '{"data":[component],"next_cursor":null}' } },
      },
    },
    '/components/{id}': {
      patch: {
        summary: 'Change a component; sources are checked as on create',
        parameters: id,
        requestBody: { content: { 'application/json': { schema: component } } },
        responses: { '200': { description: 'The component' }, '400': err('A bad field or source; nothing is written'), '404': err('Not found') },
      },
      delete: { summary: 'Delete a component (a group’s members move to the top level)', parameters: id, responses: { '204': { description: 'Deleted' }, '404': err('Not found') } },
    },
    '/incidents': {
      post: {
        summary: 'Open a manual incident (published at once)',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name', 'status', 'body'],
                properties: {
                  page: { type: 'string', description: 'Page slug (default: the default page)' },
                  name: { type: 'string', maxLength: 200 },
                  status: { enum: ['investigating', 'identified', 'monitoring', 'resolved'] },
                  impact: { enum: ['none', 'minor', 'major', 'critical'] },
                  body: { ...markdown, maxLength: 20000 },
                  components: changes,
                  deliver_notifications: { type: 'boolean', default: true },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The incident' }, '400': err('A bad field'), '404': err('No such page for this key') },
      },
      get: {
        summary: 'Incidents of the pages the key may use, drafts included (draft, published_at, publish_at)',
        parameters: [{ name: 'status', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: '{"data":[incident],"next_cursor":null}' } },
      },
    },
    '/incidents/{id}': {
      get: { summary: 'An incident, drafts included', parameters: id, responses: { '200': { description: 'The incident' }, '404': err('Not found') } },
      patch: {
        summary: 'Correct a manual incident or a draft (no update is posted)',
        parameters: id,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  name: { type: 'string', maxLength: 200 },
                  impact: { enum: ['none', 'minor', 'major', 'critical'] },
                  components: { type: 'object', additionalProperties: { type: 'string' }, description: 'component id → status; replaces the affected components' },
                },
              },
            },
          },
        },
        responses: { '200': { description: 'The incident' }, '400': err('A bad field or unknown component'), '404': err('Not found'), '409': err('A maintenance, or a published automatic incident') },
      },
      delete: { summary: 'Delete an incident, or discard a draft', parameters: id, responses: { '204': { description: 'Deleted' }, '404': err('Not found') } },
    },
    '/incidents/{id}/updates': {
      post: {
        summary: 'Post an update: a new status and text, optionally new component statuses; subscribers are told',
        parameters: id,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status', 'body'],
                properties: {
                  status: { type: 'string', description: 'An incident status, or for a maintenance: scheduled, in_progress, verifying, completed' },
                  body: { ...markdown, maxLength: 20000 },
                  components: changes,
                  deliver_notifications: { type: 'boolean', default: true },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The incident with its updates' }, '400': err('A bad field'), '404': err('Not found') },
      },
    },
    '/incidents/{id}/updates/{update_id}': {
      patch: {
        summary: 'Correct an update’s text or displayed time (nobody is told)',
        parameters: [...id, { name: 'update_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: {
          content: { 'application/json': { schema: { type: 'object', properties: { body: { ...markdown, maxLength: 20000 }, display_at: { type: 'string', format: 'date-time' } } } } },
        },
        responses: { '200': { description: 'The incident' }, '400': err('A bad field'), '404': err('Not found') },
      },
    },
    '/incidents/{id}/postmortem': {
      put: {
        summary: 'Publish or replace the postmortem',
        parameters: id,
        requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['body'], properties: { body: { ...markdown, maxLength: 100000 } } } } } },
        responses: { '200': { description: 'The incident with postmortem_body' }, '400': err('A bad field'), '404': err('Not found') },
      },
    },
    '/maintenances': {
      post: {
        summary: 'Schedule a maintenance: its components go under maintenance when it starts',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name', 'body', 'scheduled_for', 'scheduled_until'],
                properties: {
                  page: { type: 'string' },
                  name: { type: 'string', maxLength: 200 },
                  body: { ...markdown, maxLength: 20000 },
                  scheduled_for: { type: 'string', format: 'date-time' },
                  scheduled_until: { type: 'string', format: 'date-time' },
                  components: { type: 'array', items: { type: 'string', format: 'uuid' } },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The maintenance' }, '400': err('A bad field'), '404': err('No such page for this key') },
      },
      get: {
        summary: 'Maintenances of the pages the key may use',
        parameters: [{ name: 'status', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: '{"data":[maintenance],"next_cursor":null}' } },
      },
    },
    '/incidents/{id}/publish': {
      post: {
        summary: 'Publish a draft: the page, feeds and JSON show it, its components take its statuses, subscribers are told once',
        parameters: id,
        responses: { '200': { description: 'The incident' }, '404': err('Not found'), '409': err('Published already') },
      },
    },
    '/signals': {
      get: {
        summary: 'Signals the incident loop parked after its retries (admin key), newest first',
        parameters: [
          { name: 'state', in: 'query', required: true, schema: { enum: ['parked'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
        ],
        responses: { '200': { description: '{"data":[{"id","source","kind","tenant_id","severity","summary","created_at","attempts","last_error","parked_at"}],"next_cursor":string|null}' }, '403': err('Not the admin key') },
      },
    },
    '/signals/{id}/retry': {
      post: {
        summary: 'Put a parked signal back in its source’s queue (admin key)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Queued again' }, '403': err('Not the admin key'), '404': err('Not parked'), '409': err('A newer signal of its source was handled since') },
      },
    },
  };
}
