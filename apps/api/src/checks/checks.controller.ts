import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  createCheckRequestSchema,
  datasetNameSchema,
  type Check,
  type CheckList,
  type CreateCheckRequest,
} from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ChecksService } from './checks.service';

@Controller('v1/datasets/:name/checks')
export class ChecksController {
  constructor(private readonly service: ChecksService) {}

  @Post()
  @HttpCode(201)
  create(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(createCheckRequestSchema)) body: CreateCheckRequest,
  ): Promise<Check> {
    return this.service.create(name, body);
  }

  @Get()
  async list(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<CheckList> {
    return { checks: await this.service.list(name) };
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Param('id') id: string,
  ): Promise<void> {
    await this.service.delete(name, id);
  }
}
