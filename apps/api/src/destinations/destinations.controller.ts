import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createSlackDestinationRequestSchema, type CreateSlackDestinationRequest, type Destination } from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DestinationsService } from './destinations.service';

@Controller('v1/destinations')
export class DestinationsController {
  constructor(private readonly service: DestinationsService) {}

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
  async list(): Promise<{ destinations: Destination[] }> {
    return { destinations: await this.service.list() };
  }
}
