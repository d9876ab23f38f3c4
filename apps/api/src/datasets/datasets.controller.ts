import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { createCsvDatasetRequestSchema, datasetNameSchema, type CreateCsvDatasetRequest, type Dataset, type DatasetList } from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DatasetsService } from './datasets.service';

@Controller('v1/datasets')
export class DatasetsController {
  constructor(private readonly service: DatasetsService) {}

  @Post('csv')
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createCsvDatasetRequestSchema)) body: CreateCsvDatasetRequest): Promise<Dataset> {
    return this.service.registerFromUrl(body);
  }

  @Get()
  async list(): Promise<DatasetList> {
    return { datasets: await this.service.list() };
  }

  @Get(':name')
  get(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<Dataset> {
    return this.service.get(name);
  }
}
