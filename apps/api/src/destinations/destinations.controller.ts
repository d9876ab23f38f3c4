import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  createSlackDestinationRequestSchema,
  updateDestinationRequestSchema,
  type CreateSlackDestinationRequest,
  type Destination,
  type DestinationList,
  type DestinationTestResult,
  type UpdateDestinationRequest,
} from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DestinationsService } from './destinations.service';

@Controller('v1/destinations')
export class DestinationsController {
  constructor(private readonly service: DestinationsService) {}

  /** 201 when new, 200 with the existing destination when the webhook is already registered. */
  @Post('slack')
  async createSlack(
    @Body(new ZodValidationPipe(createSlackDestinationRequestSchema)) body: CreateSlackDestinationRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Destination> {
    const { destination, created } = await this.service.registerSlack(body);
    res.status(created ? 201 : 200);
    return destination;
  }

  @Get()
  async list(): Promise<DestinationList> {
    return { destinations: await this.service.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Destination> {
    return this.service.get(id);
  }

  @Patch(':id')
  update(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(updateDestinationRequestSchema)) body: UpdateDestinationRequest,
  ): Promise<Destination> {
    return this.service.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.service.delete(id);
  }

  /** 200 whatever Slack answered: `ok` says whether it took the message. */
  @Post(':id/test')
  @HttpCode(200)
  test(@Param('id') id: string): Promise<DestinationTestResult> {
    return this.service.test(id);
  }
}
