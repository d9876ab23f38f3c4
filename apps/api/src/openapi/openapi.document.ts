import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  apiTokenSchema,
  auditListSchema,
  cancelRunRequestSchema,
  createdTokenSchema,
  createTokenRequestSchema,
  currentTokenSchema,
  listAuditQuerySchema,
  tokenListSchema,
  checkListSchema,
  columnOverridesSchema,
  checkSchema,
  createCheckRequestSchema,
  createCsvDatasetRequestSchema,
  createSlackDestinationRequestSchema,
  DATASET_NAME_PATTERN,
  DATASET_NAME_RULE,
  datasetLineageSchema,
  datasetListSchema,
  datasetNameSchema,
  datasetProfileSchema,
  datasetScheduleSchema,
  datasetSchema,
  datasetVersionListSchema,
  deleteDatasetQuerySchema,
  destinationListSchema,
  destinationSchema,
  destinationTestResultSchema,
  ErrorCode,
  errorResponseSchema,
  healthSchema,
  listDatasetVersionsQuerySchema,
  listDatasetsQuerySchema,
  listRunsQuerySchema,
  livenessSchema,
  retryRunRequestSchema,
  runAcceptedSchema,
  runChangeMessageSchema,
  runChangesQuerySchema,
  runDigestSchema,
  runEventSchema,
  runListSchema,
  runPipelineRequestSchema,
  runRejectsQuerySchema,
  runRejectsSchema,
  runSchema,
  runStateMessageSchema,
  runSummarySchema,
  putColumnOverridesRequestSchema,
  putDatasetScheduleRequestSchema,
  scheduleActionRequestSchema,
  setDatasetOwnersRequestSchema,
  updateDestinationRequestSchema,
} from '@relayboard/contracts';
import { HTTP_STATUS_BY_CODE } from '../common/domain-error';
import { DOCS_ASSETS } from './docs-page';

/**
 * The api's OpenAPI 3.1 document, generated from the zod contracts the routes validate
 * with (packages/contracts) by @asteasolutions/zod-to-openapi. Every route of every
 * controller is registered here, next to the schemas it uses; openapi.spec.ts fails
 * for a route that is missing, and test/openapi.e2e-spec.ts checks each documented
 * answer against what the route returns. Names and descriptions are given with zod's own
 * `.meta()` (a copy of the contract's schema; the contracts are not changed), which the
 * generator reads: `id` makes a schema a component.
 */

const JSON_TYPE = 'application/json';
const SECURITY_SCHEME = 'bearerAuth';

const named = <T extends z.ZodType>(id: string, schema: T): T => schema.meta({ id }) as T;

/** Components: the answers' shapes under their own names. */
function components(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description:
      'An api token: `Authorization: Bearer <token>`. Every /v1 route needs one (unless the api runs with AUTH=off).',
  });
  return {
    error: named('ErrorResponse', errorResponseSchema),
    liveness: named('Liveness', livenessSchema),
    health: named('Health', healthSchema),
    dataset: named('Dataset', datasetSchema),
    datasetList: named('DatasetList', datasetListSchema),
    datasetVersionList: named('DatasetVersionList', datasetVersionListSchema),
    datasetProfile: named('DatasetProfile', datasetProfileSchema),
    check: named('Check', checkSchema),
    checkList: named('CheckList', checkListSchema),
    lineage: named('DatasetLineage', datasetLineageSchema),
    destination: named('Destination', destinationSchema),
    destinationList: named('DestinationList', destinationListSchema),
    destinationTestResult: named('DestinationTestResult', destinationTestResultSchema),
    runAccepted: named('RunAccepted', runAcceptedSchema),
    runSummary: named('RunSummary', runSummarySchema),
    run: named('Run', runSchema),
    runList: named('RunList', runListSchema),
    runDigest: named('RunDigest', runDigestSchema),
    runRejects: named('RunRejects', runRejectsSchema),
    schedule: named('DatasetSchedule', datasetScheduleSchema),
    columnOverrides: named('ColumnOverrides', columnOverridesSchema),
    token: named('ApiToken', apiTokenSchema),
    createdToken: named('CreatedToken', createdTokenSchema),
    tokenList: named('TokenList', tokenListSchema),
    currentToken: named('CurrentToken', currentTokenSchema),
    auditList: named('AuditList', auditListSchema),
  };
}

const json = (schema: z.ZodType, description: string): ResponseConfig => ({
  description,
  content: { [JSON_TYPE]: { schema } },
});
const jsonBody = (schema: z.ZodType, required = true) => ({ required, content: { [JSON_TYPE]: { schema } } });
const noContent = (description: string): ResponseConfig => ({ description });

/** The one error shape, with `code` limited to the codes the route answers with this status. */
function errorShape(codes: ErrorCode[]) {
  return z.object({
    error: z.object({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string().meta({ description: 'What went wrong and how to fix it, for a person.' }),
      details: z
        .unknown()
        .optional()
        .meta({ description: 'A refused field is named in `details.issues` (`[{ field, message }]`).' }),
    }),
  });
}

/** Every route can answer these: an unknown query field or a bad path parameter, and an unexpected failure. */
const ALWAYS = [ErrorCode.ValidationFailed, ErrorCode.Internal];
/** A route that reads a JSON body also refuses one that is too large or not JSON. */
const BODY = [ErrorCode.PayloadTooLarge, ErrorCode.UnsupportedMediaType];

/** Error responses by status, each listing its codes (HTTP_STATUS_BY_CODE is the mapping the api answers with). */
function errors(codes: ErrorCode[], auth: z.ZodType | null): Record<string, ResponseConfig> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...new Set(codes)]) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseConfig> = {};
  if (auth) {
    // The codes are the auth guard's; the shape is the one error shape.
    responses['401'] = json(
      auth,
      'no token, or a token that is unknown, revoked or expired (`Authorization: Bearer <token>`)',
    );
    responses['403'] = json(auth, "the token's scope does not allow this route");
  }
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = json(errorShape(list), `error: ${list.map((c) => `\`${c}\``).join(', ')}`);
  }
  return responses;
}

interface RouteSpec extends Omit<RouteConfig, 'responses'> {
  responses: Record<string, ResponseConfig>;
  /** Error codes besides ALWAYS (and BODY for routes with a JSON body). */
  errors?: ErrorCode[];
}

function addRoute(registry: OpenAPIRegistry, errorResponse: z.ZodType, spec: RouteSpec): void {
  const { errors: codes = [], responses, ...config } = spec;
  const v1 = config.path.startsWith('/v1/');
  const hasJsonBody = config.request?.body?.content[JSON_TYPE] !== undefined;
  registry.registerPath({
    ...config,
    ...(v1 ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}),
    responses: {
      ...responses,
      ...errors([...ALWAYS, ...(hasJsonBody ? BODY : []), ...codes], v1 ? errorResponse : null),
    },
  });
}

// The name's rule is a zod refinement, which JSON Schema cannot carry: its pattern and words are given here.
const datasetParam = z.object({
  name: datasetNameSchema.meta({
    description: DATASET_NAME_RULE,
    pattern: DATASET_NAME_PATTERN.source,
    example: 'orders',
  }),
});
const runParam = z.object({ id: z.string().meta({ description: 'the run id (a UUID)' }) });
const destinationParam = z.object({ id: z.string().meta({ description: 'the destination id (a UUID)' }) });
const checkParams = datasetParam.extend({ id: z.string().meta({ description: 'the check id (a UUID)' }) });

/** Server-sent events: each message's shape (a component), by event name, in `x-sse-events` (OpenAPI 3.1 has no item schemas). */
function sse(description: string, events: Record<string, string>): ResponseConfig {
  return {
    description,
    content: {
      'text/event-stream': {
        schema: z.string().meta({
          description:
            "a text/event-stream; each message's `data` is JSON of the shape its `event` names in x-sse-events",
        }),
        ...({
          'x-sse-events': Object.fromEntries(
            Object.entries(events).map(([event, id]) => [event, { $ref: `#/components/schemas/${id}` }]),
          ),
        } as object),
      },
    },
  };
}

/** Components that only the event streams' messages use (no route answers them as JSON). */
const sseMessages = () => [
  named('RunEvent', runEventSchema),
  named('RunChangeMessage', runChangeMessageSchema),
  named('RunStateMessage', runStateMessageSchema),
];

/** Set on an answer replayed for an Idempotency-Key used before with the same body. */
const replayed = z.object({
  'Idempotent-Replayed': z
    .literal('true')
    .optional()
    .meta({ description: "present (true) when this is the key's first answer, replayed" }),
});

function routes(registry: OpenAPIRegistry, c: ReturnType<typeof components>): void {
  const route = (spec: RouteSpec) => addRoute(registry, c.error, spec);
  // Operations
  route({
    method: 'get',
    path: '/health',
    tags: ['operations'],
    summary: 'Liveness: the process answers (no dependency is asked)',
    responses: { 200: json(c.liveness, 'the process answers') },
  });
  route({
    method: 'get',
    path: '/ready',
    tags: ['operations'],
    summary: 'Readiness: PostgreSQL, Redis, the object store and dbt answer',
    responses: {
      200: json(c.health, 'every dependency answers'),
      503: json(c.health, 'a dependency does not answer: each check says'),
    },
  });
  route({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary:
      'Prometheus metrics: runs, steps, rows, rejects, the queue, Slack deliveries and dbt (docs/operations.md lists each series)',
    responses: {
      200: {
        description: 'the Prometheus text exposition format (version 0.0.4)',
        content: {
          'text/plain': {
            schema: z.string().meta({ description: 'one `# HELP`, `# TYPE` and sample lines per series' }),
          },
        },
      },
    },
  });
  route({
    method: 'get',
    path: '/openapi.json',
    tags: ['operations'],
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'the OpenAPI document') },
  });
  route({
    method: 'get',
    path: '/docs',
    tags: ['operations'],
    summary: 'This document rendered by Swagger UI, served by the api itself (works offline)',
    responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
  });
  route({
    method: 'get',
    path: '/docs/{asset}',
    tags: ['operations'],
    summary: "The /docs page's scripts and styles (swagger-ui-dist)",
    request: { params: z.object({ asset: z.enum(Object.keys(DOCS_ASSETS) as [string, ...string[]]) }) },
    responses: {
      200: {
        description: 'the file',
        content: Object.fromEntries(
          [...new Set(Object.values(DOCS_ASSETS))].map((type) => [type, { schema: z.string() }]),
        ),
      },
      404: json(errorShape([ErrorCode.NotFound]), 'error: `not_found` (no such file)'),
    },
  });

  // Datasets
  route({
    method: 'post',
    path: '/v1/datasets/csv',
    tags: ['datasets'],
    summary: "Registers a dataset from a CSV's URL: downloads it into the object store as its first version",
    request: { body: jsonBody(createCsvDatasetRequestSchema) },
    responses: { 201: json(c.dataset, 'the dataset, with its first version') },
    errors: [
      ErrorCode.UrlNotAllowed,
      ErrorCode.DatasetExists,
      ErrorCode.SourceTooLarge,
      ErrorCode.SourceUnreachable,
      ErrorCode.SourceHttpError,
      ErrorCode.SourceEmpty,
      ErrorCode.SourceInvalid,
      ErrorCode.NotCsv,
      ErrorCode.SourceTimeout,
      ErrorCode.DependencyUnavailable,
    ],
  });
  route({
    method: 'post',
    path: '/v1/datasets/{name}/upload',
    tags: ['datasets'],
    summary: 'Uploads a CSV (plain or gzip) as a new dataset or a new version of one',
    request: {
      params: datasetParam,
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                file: { type: 'string', contentMediaType: 'text/csv', description: 'the CSV file, plain or gzip' },
              },
              required: ['file'],
            },
          },
        },
      },
    },
    responses: { 201: json(c.dataset, 'a new dataset'), 200: json(c.dataset, 'a new version of an existing dataset') },
    errors: [
      ErrorCode.SourceTooLarge,
      ErrorCode.UnsupportedMediaType,
      ErrorCode.SourceEmpty,
      ErrorCode.SourceInvalid,
      ErrorCode.NotCsv,
      ErrorCode.DependencyUnavailable,
    ],
  });
  route({
    method: 'get',
    path: '/v1/datasets',
    tags: ['datasets'],
    summary: 'Datasets by name, a page at a time',
    request: { query: listDatasetsQuerySchema },
    responses: { 200: json(c.datasetList, 'a page of datasets') },
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}',
    tags: ['datasets'],
    summary: 'A dataset with its current version and newest run',
    request: { params: datasetParam },
    responses: { 200: json(c.dataset, 'the dataset') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'delete',
    path: '/v1/datasets/{name}',
    tags: ['datasets'],
    summary: 'Deletes a dataset, its relations, dbt files, checks, versions and runs',
    request: { params: datasetParam, query: deleteDatasetQuerySchema },
    responses: { 204: noContent('deleted') },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.DatasetBusy, ErrorCode.DatasetHasDependents],
  });
  route({
    method: 'put',
    path: '/v1/datasets/{name}/owners',
    tags: ['datasets'],
    summary: "Replaces the Slack members whom the dataset's failure digests mention",
    request: { params: datasetParam, body: jsonBody(setDatasetOwnersRequestSchema) },
    responses: { 200: json(c.dataset, 'the dataset with its new owners') },
    errors: [ErrorCode.DatasetNotFound],
  });
  // Tokens and the audit log (admin, but GET /v1/tokens/current: any scope)
  route({
    method: 'post',
    path: '/v1/tokens',
    tags: ['auth'],
    summary: 'Creates an api token; the answer is the only one that carries its secret',
    request: { body: jsonBody(createTokenRequestSchema) },
    responses: { 201: json(c.createdToken, 'the token, with its secret in `token` (shown this once)') },
  });
  route({
    method: 'get',
    path: '/v1/tokens',
    tags: ['auth'],
    summary: 'Every token, revoked and expired ones included; never a secret',
    responses: { 200: json(c.tokenList, 'the tokens, newest first') },
  });
  route({
    method: 'get',
    path: '/v1/tokens/current',
    tags: ['auth'],
    summary: 'The token the request carries (any scope)',
    responses: { 200: json(c.currentToken, 'the token, or auth off') },
  });
  route({
    method: 'delete',
    path: '/v1/tokens/{id}',
    tags: ['auth'],
    summary: 'Revokes a token at once',
    request: { params: z.object({ id: z.string().meta({ description: 'the token id (a UUID)' }) }) },
    responses: { 200: json(c.token, 'the token, now revoked') },
    errors: [ErrorCode.TokenNotFound],
  });
  route({
    method: 'get',
    path: '/v1/audit',
    tags: ['auth'],
    summary: 'The audit log of changes, newest first',
    request: { query: listAuditQuerySchema },
    responses: { 200: json(c.auditList, 'a page of audit entries') },
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}/schedule',
    tags: ['schedules'],
    summary: "The dataset's cron schedule, with its next run time",
    request: { params: datasetParam },
    responses: { 200: json(c.schedule, 'the schedule') },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.ScheduleNotFound],
  });
  route({
    method: 'put',
    path: '/v1/datasets/{name}/schedule',
    tags: ['schedules'],
    summary: "Creates or replaces the dataset's cron schedule (a paused one stays paused)",
    request: { params: datasetParam, body: jsonBody(putDatasetScheduleRequestSchema) },
    responses: { 200: json(c.schedule, 'the schedule as stored, with its next run time') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'delete',
    path: '/v1/datasets/{name}/schedule',
    tags: ['schedules'],
    summary: "Removes the dataset's schedule and its job scheduler",
    request: { params: datasetParam },
    responses: { 204: noContent('removed') },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.ScheduleNotFound],
  });
  for (const action of ['pause', 'resume'] as const) {
    route({
      method: 'post',
      path: `/v1/datasets/{name}/schedule/${action}`,
      tags: ['schedules'],
      summary:
        action === 'pause' ? 'Pauses the schedule: no run fires until it is resumed' : 'Resumes a paused schedule',
      request: { params: datasetParam, body: jsonBody(scheduleActionRequestSchema) },
      responses: { 200: json(c.schedule, 'the schedule') },
      errors: [ErrorCode.DatasetNotFound, ErrorCode.ScheduleNotFound],
    });
  }
  route({
    method: 'get',
    path: '/v1/datasets/{name}/column-overrides',
    tags: ['datasets'],
    summary:
      "The dataset's column overrides (type, date or number format, missing-value markers, keep as text), which its next run applies",
    request: { params: datasetParam },
    responses: { 200: json(c.columnOverrides, 'the overrides by column; {} when there are none') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'put',
    path: '/v1/datasets/{name}/column-overrides',
    tags: ['datasets'],
    summary:
      'Replaces the dataset\'s whole set of column overrides ({ "columns": {} } clears it); the next run applies them and records what changed',
    request: { params: datasetParam, body: jsonBody(putColumnOverridesRequestSchema) },
    responses: { 200: json(c.columnOverrides, 'the overrides as stored') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}/profile',
    tags: ['datasets'],
    summary: "Per-column profile from the dataset's newest profiled run",
    request: { params: datasetParam },
    responses: { 200: json(c.datasetProfile, 'the profile (runId null and no columns before a run profiled it)') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}/versions',
    tags: ['datasets'],
    summary: "The dataset's versions, newest first",
    request: { params: datasetParam, query: listDatasetVersionsQuerySchema },
    responses: { 200: json(c.datasetVersionList, 'a page of versions') },
    errors: [ErrorCode.DatasetNotFound],
  });

  // Checks and lineage
  route({
    method: 'post',
    path: '/v1/datasets/{name}/checks',
    tags: ['checks'],
    summary: 'Declares a check (a dbt data test) on the dataset',
    request: { params: datasetParam, body: jsonBody(createCheckRequestSchema) },
    responses: { 201: json(c.check, 'the check') },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.CheckExists],
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}/checks',
    tags: ['checks'],
    summary: "The dataset's checks, each with its result in the latest run",
    request: { params: datasetParam },
    responses: { 200: json(c.checkList, 'the checks') },
    errors: [ErrorCode.DatasetNotFound],
  });
  route({
    method: 'delete',
    path: '/v1/datasets/{name}/checks/{id}',
    tags: ['checks'],
    summary: 'Removes a check',
    request: { params: checkParams },
    responses: { 204: noContent('removed') },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.CheckNotFound],
  });
  route({
    method: 'get',
    path: '/v1/datasets/{name}/lineage',
    tags: ['checks'],
    summary: "Nodes and edges of dbt's manifest of the dataset's latest build",
    request: { params: datasetParam },
    responses: { 200: json(c.lineage, 'the lineage (runId null before the first build)') },
    errors: [ErrorCode.DatasetNotFound],
  });

  // Destinations
  route({
    method: 'post',
    path: '/v1/destinations/slack',
    tags: ['destinations'],
    summary: 'Registers a Slack incoming webhook as a destination',
    request: { body: jsonBody(createSlackDestinationRequestSchema) },
    responses: {
      201: json(c.destination, 'a new destination'),
      200: json(c.destination, 'the destination already registered with this webhook URL, unchanged'),
    },
    errors: [ErrorCode.WebhookHostNotAllowed],
  });
  route({
    method: 'get',
    path: '/v1/destinations',
    tags: ['destinations'],
    summary: 'Destinations with their routing and newest delivery',
    responses: { 200: json(c.destinationList, 'the destinations') },
  });
  route({
    method: 'get',
    path: '/v1/destinations/{id}',
    tags: ['destinations'],
    summary: 'A destination',
    request: { params: destinationParam },
    responses: { 200: json(c.destination, 'the destination') },
    errors: [ErrorCode.DestinationNotFound],
  });
  route({
    method: 'patch',
    path: '/v1/destinations/{id}',
    tags: ['destinations'],
    summary: "Changes a destination's name, webhook URL or routing",
    request: { params: destinationParam, body: jsonBody(updateDestinationRequestSchema) },
    responses: { 200: json(c.destination, 'the destination') },
    errors: [ErrorCode.DestinationNotFound, ErrorCode.DestinationExists, ErrorCode.WebhookHostNotAllowed],
  });
  route({
    method: 'delete',
    path: '/v1/destinations/{id}',
    tags: ['destinations'],
    summary: 'Removes a destination and its delivery records',
    request: { params: destinationParam },
    responses: { 204: noContent('removed') },
    errors: [ErrorCode.DestinationNotFound],
  });
  route({
    method: 'post',
    path: '/v1/destinations/{id}/test',
    tags: ['destinations'],
    summary: 'Posts a test message to the webhook',
    request: { params: destinationParam },
    responses: { 200: json(c.destinationTestResult, 'what Slack answered (`ok` says whether it took the message)') },
    errors: [ErrorCode.DestinationNotFound],
  });

  // Runs
  route({
    method: 'post',
    path: '/v1/pipelines/run',
    tags: ['runs'],
    summary: 'Runs the pipeline of a dataset (fetch, stage, transform, deliver)',
    request: {
      body: jsonBody(runPipelineRequestSchema),
      headers: z.object({
        'Idempotency-Key': z.string().optional().meta({
          description:
            'Makes the request safe to repeat for 24 h: 1 to 255 visible ASCII characters without spaces, quotes or backslashes (a UUID), quotes optional',
        }),
      }),
    },
    responses: {
      202: { ...json(c.runAccepted, 'a new run (`existing: false`)'), headers: replayed },
      200: {
        ...json(c.runAccepted, "the dataset's queued run that does what was asked (`existing: true`)"),
        headers: replayed,
      },
    },
    errors: [ErrorCode.DatasetNotFound, ErrorCode.IdempotencyKeyInvalid, ErrorCode.IdempotencyKeyReused],
  });
  route({
    method: 'post',
    path: '/v1/runs/{id}/retry',
    tags: ['runs'],
    summary: 'Resumes a failed or canceled run from its first step that did not succeed',
    request: { params: runParam, body: jsonBody(retryRunRequestSchema, false) },
    responses: { 202: json(c.runSummary, 'the run, queued again') },
    errors: [ErrorCode.RunNotFound, ErrorCode.RunNotRetryable],
  });
  route({
    method: 'post',
    path: '/v1/runs/{id}/cancel',
    tags: ['runs'],
    summary: "Cancels a queued run at once, or asks a running run's worker to stop it",
    request: { params: runParam, body: jsonBody(cancelRunRequestSchema, false) },
    responses: { 202: json(c.runSummary, 'the run (`cancelRequestedAt`, `cancelReason`)') },
    errors: [ErrorCode.RunNotFound, ErrorCode.RunNotCancelable],
  });
  route({
    method: 'get',
    path: '/v1/runs',
    tags: ['runs'],
    summary: 'Runs, newest first, a page at a time',
    request: { query: listRunsQuerySchema },
    responses: { 200: json(c.runList, 'a page of runs') },
  });
  route({
    method: 'get',
    path: '/v1/runs/events',
    tags: ['runs'],
    summary: "Server-sent events: every run's summary as it is created or changes",
    request: { query: runChangesQuerySchema },
    responses: {
      200: sse('`event: run` messages (a RunSummary) and `: keep-alive` comments every 15 s; no backlog', {
        run: 'RunChangeMessage',
      }),
    },
  });
  route({
    method: 'get',
    path: '/v1/runs/{id}/events',
    tags: ['runs'],
    summary: "Server-sent events: the run's events and state as they happen",
    request: {
      params: runParam,
      headers: z.object({
        'Last-Event-ID': z.string().optional().meta({ description: 'resume after this run event id' }),
      }),
    },
    responses: {
      200: sse(
        '`event: run-event` messages (a RunEvent, its id as the message id) and `event: run` messages (the run and its steps); ends after the run finished',
        {
          'run-event': 'RunEvent',
          run: 'RunStateMessage',
        },
      ),
    },
    errors: [ErrorCode.RunNotFound],
  });
  route({
    method: 'get',
    path: '/v1/runs/{id}',
    tags: ['runs'],
    summary: 'A run with its steps, events, dbt nodes and deliveries',
    request: { params: runParam },
    responses: { 200: json(c.run, 'the run') },
    errors: [ErrorCode.RunNotFound],
  });
  route({
    method: 'get',
    path: '/v1/runs/{id}/digest',
    tags: ['runs'],
    summary: 'The Slack digest rendered for the run',
    request: { params: runParam },
    responses: { 200: json(c.runDigest, 'the digest (null before deliver ran)') },
    errors: [ErrorCode.RunNotFound],
  });
  route({
    method: 'get',
    path: '/v1/runs/{id}/rejects',
    tags: ['runs'],
    summary: "The rows the run's stage step rejected, by line number",
    request: { params: runParam, query: runRejectsQuerySchema },
    responses: { 200: json(c.runRejects, 'a page of rejected rows') },
    errors: [ErrorCode.RunNotFound],
  });
}

let cached: Record<string, unknown> | undefined;

/** The document (built once; it depends on nothing but the code). */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  routes(registry, components(registry));
  const document = new OpenApiGeneratorV31([
    ...registry.definitions,
    ...sseMessages().map((schema) => ({ type: 'schema' as const, schema })),
  ]).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Relayboard api',
      version: '0.1.0',
      description:
        'CSV -> PostgreSQL warehouse -> Slack pipelines. Every error is `{ "error": { "code", "message", "details"? } }`; ' +
        'request bodies are JSON (UTF-8, at most API_JSON_BODY_LIMIT) except the upload; a body or query field a route does not know is refused with 400. ' +
        "The README's REST section says more about each route.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'operations', description: 'liveness, readiness and this document' },
      { name: 'datasets', description: 'CSV datasets and their versions' },
      { name: 'checks', description: 'checks (dbt data tests) and lineage' },
      { name: 'destinations', description: 'Slack destinations' },
      { name: 'runs', description: 'pipeline runs' },
    ],
  });
  cached = document as unknown as Record<string, unknown>;
  return cached;
}
