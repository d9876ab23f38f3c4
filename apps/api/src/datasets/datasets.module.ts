import { Module } from '@nestjs/common';
import { CsvFetcher } from './csv-fetcher';
import { DatasetsController } from './datasets.controller';
import { DatasetsRepository } from './datasets.repository';
import { DatasetsService } from './datasets.service';

@Module({
  controllers: [DatasetsController],
  providers: [DatasetsService, DatasetsRepository, CsvFetcher],
  exports: [DatasetsRepository],
})
export class DatasetsModule {}
