import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import {
  cancelRunRequestSchema,
  ErrorCode,
  IDEMPOTENCY_KEY_HEADER,
  parseIdempotencyKey,
  retryRunRequestSchema,
  type CancelRunRequest,
  type RetryRunRequest,
  type RunSummary,
  listRunsQuerySchema,
  runChangesQuerySchema,
  runPipelineRequestSchema,
  type ListRunsQuery,
  type RunChangesQuery,
  type Run,
  type RunAccepted,
  type RunDigest,
  type RunList,
  type RunPipelineRequest,
} from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RunsService } from './runs.service';

/** Who asked, for the run's events: the board says so in X-Relayboard-Source; anything else is the api. */
function requester(source: string | undefined): string {
  return source !== undefined && /^[a-z][a-z0-9-]{0,31}$/.test(source) ? `the ${source}` : 'the api';
}

@Controller('v1')
export class RunsController {
  constructor(private readonly service: RunsService) {}

  /**
   * 202 with a new run, or 200 with the dataset's queued run (existing: true).
   * An Idempotency-Key replays the first answer for the same body (with
   * Idempotent-Replayed: true) and refuses another body with 422.
   */
  @Post('pipelines/run')
  async run(
    @Body(new ZodValidationPipe(runPipelineRequestSchema)) body: RunPipelineRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) keyHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunAccepted> {
    let key: string | undefined;
    if (keyHeader !== undefined) {
      key = parseIdempotencyKey(keyHeader) ?? undefined;
      if (key === undefined) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyInvalid,
          'the Idempotency-Key header must be a string of 1 to 255 visible ASCII characters without spaces, quotes or backslashes (a UUID, for example), optionally in double quotes',
        );
      }
    }
    const result = await this.service.trigger(body, key);
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  /** Resumes a failed or canceled run from its failed step: 202 with the run, now queued. */
  @Post('runs/:id/retry')
  @HttpCode(202)
  retry(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(retryRunRequestSchema)) _body: RetryRunRequest,
    @Headers('x-relayboard-source') source?: string,
  ): Promise<RunSummary> {
    return this.service.retry(id, requester(source));
  }

  /** Cancels a queued run at once, or asks a running run's worker to stop it: 202 with the run. */
  @Post('runs/:id/cancel')
  @HttpCode(202)
  cancel(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(cancelRunRequestSchema)) body: CancelRunRequest,
    @Headers('x-relayboard-source') source?: string,
  ): Promise<RunSummary> {
    return this.service.cancel(id, body.reason, requester(source));
  }

  @Get('runs')
  list(@Query(new ZodValidationPipe(listRunsQuerySchema, 'query')) query: ListRunsQuery): Promise<RunList> {
    return this.service.list(query);
  }

  /**
   * Server-sent events: every run's summary as it is created or changes (filtered by
   * dataset and status). Declared before `runs/:id`, which would take `events` for an id.
   */
  @Sse('runs/events')
  changes(
    @Query(new ZodValidationPipe(runChangesQuerySchema, 'query')) query: RunChangesQuery,
  ): Promise<Observable<MessageEvent>> {
    return this.service.summaryChanges(query);
  }

  /** Server-sent events: the run's events and state as they happen, resuming after Last-Event-ID. */
  @Sse('runs/:id/events')
  events(@Param('id') id: string, @Headers('last-event-id') lastEventId?: string): Promise<Observable<MessageEvent>> {
    return this.service.events(id, lastEventId);
  }

  @Get('runs/:id')
  get(@Param('id') id: string): Promise<Run> {
    return this.service.get(id);
  }

  /** The Slack digest rendered for the run, for the board's preview, whether or not anything was posted. */
  @Get('runs/:id/digest')
  digest(@Param('id') id: string): Promise<RunDigest> {
    return this.service.digest(id);
  }
}
