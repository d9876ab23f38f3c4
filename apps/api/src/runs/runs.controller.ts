import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Sse, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
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
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RunsService } from './runs.service';

@Controller('v1')
export class RunsController {
  constructor(private readonly service: RunsService) {}

  @Post('pipelines/run')
  @HttpCode(202)
  run(@Body(new ZodValidationPipe(runPipelineRequestSchema)) body: RunPipelineRequest): Promise<RunAccepted> {
    return this.service.trigger(body.datasetName, { refresh: body.refresh ?? false });
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
  changes(@Query(new ZodValidationPipe(runChangesQuerySchema, 'query')) query: RunChangesQuery): Observable<MessageEvent> {
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
