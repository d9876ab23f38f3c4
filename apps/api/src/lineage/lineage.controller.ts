import { Controller, Get, Param } from '@nestjs/common';
import { datasetNameSchema, type DatasetLineage } from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { LineageService } from './lineage.service';

@Controller('v1/datasets/:name/lineage')
export class LineageController {
  constructor(private readonly service: LineageService) {}

  @Get()
  get(@Param('name', new ZodValidationPipe(datasetNameSchema, 'path')) name: string): Promise<DatasetLineage> {
    return this.service.get(name);
  }
}
