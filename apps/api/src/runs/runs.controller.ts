import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  listRunsQuerySchema,
  runPipelineRequestSchema,
  type ListRunsQuery,
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
  async list(@Query(new ZodValidationPipe(listRunsQuerySchema, 'query')) query: ListRunsQuery): Promise<RunList> {
    return { runs: await this.service.list(query) };
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
