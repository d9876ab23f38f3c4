import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  datasetNameSchema,
  putDatasetScheduleRequestSchema,
  scheduleActionRequestSchema,
  type DatasetSchedule,
  type PutDatasetScheduleRequest,
} from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SchedulesService } from './schedules.service';

@Controller('v1/datasets/:name/schedule')
export class SchedulesController {
  constructor(private readonly service: SchedulesService) {}

  @Get()
  get(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<DatasetSchedule> {
    return this.service.get(name);
  }

  /** Creates or replaces the schedule (200); a replaced one stays paused if it was. */
  @Put()
  put(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(putDatasetScheduleRequestSchema)) body: PutDatasetScheduleRequest,
  ): Promise<DatasetSchedule> {
    return this.service.put(name, body);
  }

  @Delete()
  @HttpCode(204)
  async delete(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<void> {
    await this.service.delete(name);
  }

  @Post('pause')
  @HttpCode(200)
  pause(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(scheduleActionRequestSchema)) _body: object,
  ): Promise<DatasetSchedule> {
    return this.service.pause(name);
  }

  @Post('resume')
  @HttpCode(200)
  resume(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(scheduleActionRequestSchema)) _body: object,
  ): Promise<DatasetSchedule> {
    return this.service.resume(name);
  }
}
