/** OpenAPI paths of subscriptions, invoices, payments, invoice runs and notices (merged into /api/v1/openapi.json). */
export function invoicePaths(error: object) {
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
  const amount = { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }], description: 'Minor units' };
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  const page = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
    { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
  ];
  const external = { type: 'object', required: ['amount', 'reference'], properties: { amount, reference: { type: 'string' } } };
  return {
    '/subscriptions': {
      get: {
        summary: "The tenant's subscriptions, newest first",
        parameters: [
          { name: 'account', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'status', in: 'query', schema: { enum: ['active', 'past_due', 'canceled', 'expired'] } },
          ...page,
        ],
        responses: { '200': { description: '{"data":[subscription],"next_cursor":string|null}' }, '400': err('A bad filter or cursor') },
      },
      post: {
        summary: 'Create a subscription; period boundaries follow the anchor in the tenant zone',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['account_id', 'description', 'amount', 'interval'],
                properties: {
                  account_id: { type: 'string', format: 'uuid' },
                  description: { type: 'string' },
                  amount,
                  interval: { enum: ['day', 'week', 'month', 'year'] },
                  interval_count: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
                  anchor: { type: 'string', description: 'ISO 8601 instant with offset, or a date (local midnight); default now' },
                  auto_renew: { type: 'boolean', default: true },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The subscription' }, '400': err('Bad input'), '404': err('No such account') },
      },
    },
    '/subscriptions/{id}': { get: { summary: 'A subscription', parameters: id, responses: { '200': { description: 'The subscription' }, '404': err('Not found') } } },
    '/subscriptions/{id}/cancel': {
      post: {
        summary: 'Cancel at period end, or now (voids open invoices of periods not started)',
        parameters: id,
        requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['at_period_end'], properties: { at_period_end: { type: 'boolean' } } } } } },
        responses: { '200': { description: 'The subscription' }, '409': err('Already canceled or expired') },
      },
    },
    '/invoices': {
      get: {
        summary: 'Invoices, newest period first',
        parameters: [
          { name: 'account', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'subscription', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'status', in: 'query', schema: { enum: ['draft', 'open', 'paid', 'void', 'uncollectible'] } },
          ...page,
        ],
        responses: { '200': { description: '{"data":[invoice],"next_cursor":string|null}' } },
      },
    },
    '/invoices/{id}': { get: { summary: 'An invoice with its payments and balance applications', parameters: id, responses: { '200': { description: 'The invoice' }, '404': err('Not found') } } },
    '/invoices/{id}/pay': {
      post: {
        summary: 'Pay from balance, externally, or combined (balance first, external the rest; all or nothing)',
        parameters: id,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { type: 'object', required: ['method'], properties: { method: { const: 'balance' } } },
                  { type: 'object', required: ['method', 'amount', 'reference'], properties: { method: { const: 'external' }, amount, reference: { type: 'string' } } },
                  { type: 'object', required: ['method', 'external'], properties: { method: { const: 'combined' }, external } },
                ],
              },
            },
          },
        },
        responses: {
          '200': { description: 'The paid invoice with the payment' },
          '402': err('payment_declined: the external part was declined; nothing applied'),
          '409': err('invalid_state, insufficient_balance, amount_mismatch or payment_in_progress'),
        },
      },
    },
    '/invoices/{id}/void': { post: { summary: 'Void a draft or open invoice', parameters: id, responses: { '200': { description: 'The void invoice' }, '409': err('Not draft or open, or a payment is in flight') } } },
    '/invoice-runs': {
      post: {
        summary: "Run a tenant's invoice run for a slot now (idempotent; the repair entry point)",
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', required: ['slot'], properties: { tenant: { type: 'string', description: 'Id or slug; required with the admin key' }, slot: { type: 'string', format: 'date-time' } } },
            },
          },
        },
        responses: { '200': { description: '{"tenant","slot","created","existing","paid","notices"}' }, '400': err('Bad slot'), '404': err('No such tenant') },
      },
    },
    '/notices': {
      get: {
        summary: 'Billing notices (insufficient balance, due reminders, overdue), newest first',
        parameters: [{ name: 'invoice', in: 'query', schema: { type: 'string', format: 'uuid' } }, { name: 'account', in: 'query', schema: { type: 'string', format: 'uuid' } }, ...page],
        responses: { '200': { description: '{"data":[notice],"next_cursor":string|null}' } },
      },
    },
  };
}

/** OpenAPI paths of tenants, accounts, their ledgers and top-ups (merged into /api/v1/openapi.json). */
export function accountPaths(error: object) {
  const page = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
    { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
  ];
  const bad = { description: 'A bad filter or cursor', content: { 'application/json': { schema: error } } };
  return {
    '/tenants': {
      get: {
        summary: 'Tenants, newest first: every tenant for the admin key, its own for a tenant key',
        parameters: [{ name: 'slug', in: 'query', schema: { type: 'string', maxLength: 63 }, description: 'Only the tenant with this slug' }, ...page],
        responses: { '200': { description: '{"data":[tenant],"next_cursor":string|null}' }, '400': bad },
      },
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
      get: {
        summary: "The tenant's customer accounts with their balances, newest first (tenant key)",
        parameters: [
          { name: 'email', in: 'query', schema: { type: 'string', maxLength: 254 }, description: 'Only accounts with this address, whatever its case' },
          { name: 'external_id', in: 'query', schema: { type: 'string', maxLength: 200 } },
          ...page,
        ],
        responses: { '200': { description: '{"data":[account],"next_cursor":string|null}' }, '400': bad, '403': { description: 'Not a tenant key', content: { 'application/json': { schema: error } } } },
      },
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
  };
}
