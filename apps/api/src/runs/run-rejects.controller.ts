import { Controller, Get, Param, Query } from '@nestjs/common';
import { runRejectsQuerySchema, type RunRejects, type RunRejectsQuery } from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RunRejectsService } from './run-rejects.service';

@Controller('v1')
export class RunRejectsController {
  constructor(private readonly service: RunRejectsService) {}

  /** The rows the run's stage step rejected, by line number, while staging still holds them. */
  @Get('runs/:id/rejects')
  list(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(runRejectsQuerySchema, 'query')) query: RunRejectsQuery,
  ): Promise<RunRejects> {
    return this.service.list(id, query);
  }
}
