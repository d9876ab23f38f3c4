import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import {
  datasetNameSchema,
  putColumnOverridesRequestSchema,
  type ColumnOverrides,
  type PutColumnOverridesRequest,
} from '@relayboard/contracts';
import type { RequestToken } from '../auth/auth-policy';
import { RequestTokenOf } from '../auth/request-token.decorator';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ColumnOverridesService } from './column-overrides.service';

@Controller('v1/datasets/:name/column-overrides')
export class ColumnOverridesController {
  constructor(private readonly service: ColumnOverridesService) {}

  @Get()
  get(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<ColumnOverrides> {
    return this.service.get(name);
  }

  /** Replaces the dataset's whole set of overrides (200); { "columns": {} } clears it. */
  @Put()
  put(
    @Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string,
    @Body(new ZodValidationPipe(putColumnOverridesRequestSchema)) body: PutColumnOverridesRequest,
    @RequestTokenOf() token: RequestToken | null,
  ): Promise<ColumnOverrides> {
    return this.service.put(name, body, token);
  }
}
