import { Module } from '@nestjs/common';
import { ColumnOverridesController } from './column-overrides.controller';
import { ColumnOverridesRepository } from './column-overrides.repository';
import { ColumnOverridesService } from './column-overrides.service';

@Module({
  controllers: [ColumnOverridesController],
  providers: [ColumnOverridesService, ColumnOverridesRepository],
})
export class ColumnOverridesModule {}
