import { instant, z } from '../http/openapi.js';
import { AUTO_INCIDENT } from './input.js';
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.js';

/**
 * The manual API's request and response schemas (OpenAPI document, body
 * checks, and the types of the routes' `…Json` functions). Request schemas
 * check types and closed sets; lengths and formats are described here and
 * checked by `input.ts`, whose messages name the rule.
 */

const uuid = () => z.string().openapi({ format: 'uuid' });
const ts = () => instant().nullable();
const markdown = (maxLength: number) =>
  z.string().openapi({ maxLength, description: 'Markdown-lite: paragraphs, "- " lists, **bold**, [links](https://…); rendered in time linear in its length' });
const line = (maxLength = 200) => z.string().openapi({ maxLength, description: 'One line' });

export const ComponentStatus = z.enum(COMPONENT_STATUSES as [string, ...string[]]);
const Changes = z.record(z.string(), ComponentStatus).openapi({ description: 'component id → component status' });

/** A page's own look; each is checked by page-branding.ts (400, nothing written). */
function branding() {
  return {
    logo_url: z.string().nullable().optional().openapi({ format: 'uri', maxLength: 2048, description: 'An https URL of the logo the public page shows (the page allows exactly this image in its Content-Security-Policy); null: none' }),
    accent_color: z.string().nullable().optional().openapi({
      pattern: '^#[0-9a-fA-F]{6}$',
      description: "The page's accent (links, buttons) as #rrggbb; it must reach WCAG AA (4.5:1) on the light background, the dark scheme shows a lighter shade of it; null: the house accent",
    }),
  };
}

export const Page = z
  .object({
    id: uuid(),
    slug: z.string(),
    name: z.string(),
    time_zone: z.string(),
    tenant_id: uuid().nullable(),
    logo_url: z.string().nullable().openapi({ format: 'uri', description: 'The logo the public page shows (https)' }),
    accent_color: z.string().nullable().openapi({ pattern: '^#[0-9a-f]{6}$', description: 'Links and buttons of the public page; null: the house accent' }),
    updated_at: instant(),
  })
  .openapi('Page');

export const CreatePage = z.object({
  slug: z.string().openapi({ maxLength: 63, pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
  name: line(),
  time_zone: z.string().optional().openapi({ default: 'UTC', description: 'IANA zone' }),
  tenant_id: z.string().optional().openapi({ format: 'uuid', description: "Admin key: the tenant whose page it is (a tenant key's pages are its tenant's)" }),
  ...branding(),
});
export const UpdatePage = z.object({ name: line().optional(), time_zone: z.string().optional(), ...branding() });

const publishing = {
  auto_incident: z.enum(AUTO_INCIDENT).openapi({
    default: 'publish',
    description: 'How automatic incidents of this component go public: at once; after publish_after seconds if still failing (a blip never does); or as a draft an operator publishes',
  }),
  publish_after: z.number().nullable().openapi({ type: ['integer', 'null'], minimum: 1, maximum: 86400, description: 'Seconds; required with auto_incident "delay"' }),
  incident_template: z.string().nullable().openapi({ maxLength: 140, description: 'Public title of its automatic incidents; {component} and {status} are filled in. Null: "{status}: {component}"' }),
};

export const Component = z
  .object({
    id: uuid(),
    name: z.string(),
    status: z.string(),
    created_at: ts(),
    updated_at: ts(),
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z.string().nullable(),
    group_id: uuid().nullable(),
    page_id: uuid(),
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
    components: z.array(z.string()).optional().openapi({ description: "A group's members" }),
    sources: z.array(z.string()),
    ...publishing,
  })
  .openapi('Component');

const componentFields = {
  name: line(),
  description: z.string().nullable().openapi({ maxLength: 2000 }),
  group: z.boolean(),
  group_id: z.string().nullable().openapi({ format: 'uuid' }),
  position: z.number().openapi({ type: 'integer' }),
  status: ComponentStatus,
  showcase: z.boolean(),
  only_show_if_degraded: z.boolean(),
  sources: z.array(z.string().openapi({ pattern: '^(check:[0-9a-f-]{36}|expectation:[a-z0-9][a-z0-9-]{1,62})$' })).openapi({
    description:
      'Monitors whose failures open incidents on this component. A tenant key lists its own checks and expectations evaluated for every tenant; platform sources need the admin key; a group lists none',
  }),
  ...publishing,
};
export const CreateComponent = z.object({ page: z.string().optional().openapi({ description: 'Page slug (default: the default page)' }), ...componentFields }).partial().required({ name: true });
export const UpdateComponent = z.object(componentFields).omit({ group: true }).partial();

const Update = z.object({
  id: uuid(),
  status: z.string(),
  body: z.string(),
  incident_id: uuid(),
  created_at: ts(),
  updated_at: ts(),
  display_at: ts(),
  affected_components: z.unknown().nullable(),
  deliver_notifications: z.boolean(),
  custom_tweet: z.null(),
  tweet_id: z.null().optional(),
});

export const Incident = z
  .object({
    id: uuid(),
    name: z.string(),
    status: z.string(),
    created_at: ts(),
    updated_at: ts(),
    monitoring_at: ts(),
    resolved_at: ts(),
    impact: z.string(),
    shortlink: z.string().nullable(),
    started_at: ts(),
    page_id: uuid(),
    incident_updates: z.array(Update.loose()),
    components: z.array(Component.omit({ sources: true, auto_incident: true, publish_after: true, incident_template: true })),
    scheduled_for: ts().optional(),
    scheduled_until: ts().optional(),
    automatic: z.boolean(),
    draft: z.boolean(),
    published_at: ts(),
    publish_at: ts(),
  })
  .openapi('Incident');

export const OpenIncident = z.object({
  page: z.string().optional().openapi({ description: 'Page slug (default: the default page)' }),
  name: line(),
  status: z.enum(INCIDENT_STATUSES as [string, ...string[]]),
  impact: z.enum(IMPACTS as [string, ...string[]]).optional(),
  body: markdown(20_000),
  components: Changes.optional(),
  deliver_notifications: z.boolean().optional().openapi({ default: true }),
});

export const PatchIncident = z.object({
  name: line().optional(),
  impact: z.enum(IMPACTS as [string, ...string[]]).optional(),
  components: Changes.optional().openapi({ description: 'component id → status; replaces the affected components' }),
});

export const PostUpdate = z.object({
  status: z.string().openapi({ description: `An incident status (${INCIDENT_STATUSES.join(', ')}), or for a maintenance: ${MAINTENANCE_STATUSES.join(', ')}` }),
  body: markdown(20_000),
  components: Changes.optional(),
  deliver_notifications: z.boolean().optional().openapi({ default: true }),
});

export const EditUpdate = z.object({ body: markdown(20_000).optional(), display_at: z.string().optional().openapi({ format: 'date-time' }) });

export const Postmortem = z.object({ body: markdown(100_000) });

export const ScheduleMaintenance = z.object({
  page: z.string().optional(),
  name: line(),
  body: markdown(20_000),
  scheduled_for: z.string().openapi({ format: 'date-time' }),
  scheduled_until: z.string().openapi({ format: 'date-time' }),
  components: z.array(z.string().openapi({ format: 'uuid' })).optional(),
});

export const ParkedSignal = z
  .object({
    id: z.string(),
    source: z.string(),
    kind: z.string(),
    tenant_id: uuid().nullable(),
    severity: z.string(),
    summary: z.string(),
    created_at: instant(),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    parked_at: ts(),
  })
  .openapi('ParkedSignal');
