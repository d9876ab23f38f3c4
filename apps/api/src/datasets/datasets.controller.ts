import type { IncomingMessage } from 'node:http';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  createCsvDatasetRequestSchema,
  datasetNameSchema,
  deleteDatasetQuerySchema,
  listDatasetVersionsQuerySchema,
  listDatasetsQuerySchema,
  setDatasetOwnersRequestSchema,
  type CreateCsvDatasetRequest,
  type DeleteDatasetQuery,
  type ListDatasetVersionsQuery,
  type ListDatasetsQuery,
  type Dataset,
  type DatasetList,
  type DatasetProfile,
  type DatasetVersionList,
  type SetDatasetOwnersRequest,
} from '@relayboard/contracts';
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

  /** 201 when the upload created the dataset, 200 when it added a version to an existing one. */
  @Post(':name/upload')
  async upload(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Req() req: IncomingMessage,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Dataset> {
    const { created, dataset } = await this.service.upload(name, req);
    res.status(created ? 201 : 200);
    return dataset;
  }

  @Get()
  list(@Query(new ZodValidationPipe(listDatasetsQuerySchema, 'query')) query: ListDatasetsQuery): Promise<DatasetList> {
    return this.service.list(query);
  }

  @Get(':name')
  get(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<Dataset> {
    return this.service.get(name);
  }

  /** 204; 409 while a run of it is active or (without ?force=true) while people's models ref it. */
  @Delete(':name')
  @HttpCode(204)
  async delete(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Query(new ZodValidationPipe(deleteDatasetQuerySchema, 'query')) query: DeleteDatasetQuery,
  ): Promise<void> {
    await this.service.delete(name, query.force);
  }

  /** Replaces the Slack members whom the dataset's failure digests mention. */
  @Put(':name/owners')
  setOwners(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(setDatasetOwnersRequestSchema)) body: SetDatasetOwnersRequest,
  ): Promise<Dataset> {
    return this.service.setOwners(name, body.owners);
  }

  @Get(':name/profile')
  profile(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<DatasetProfile> {
    return this.service.profile(name);
  }

  @Get(':name/versions')
  versions(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Query(new ZodValidationPipe(listDatasetVersionsQuerySchema, 'query')) query: ListDatasetVersionsQuery,
  ): Promise<DatasetVersionList> {
    return this.service.versions(name, query);
  }
}
