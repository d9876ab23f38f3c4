import { Module } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import { ContentStore, UrlFetcher, fetchSettings } from '@relayboard/sources';
import type { ObjectStore } from '@relayboard/storage';
import { APP_CONFIG, OBJECT_STORE } from '../core/tokens';
import { DatasetRelationsRepository } from './dataset-relations.repository';
import { DatasetsController } from './datasets.controller';
import { DatasetsRepository } from './datasets.repository';
import { DatasetsService } from './datasets.service';
import { UploadReader } from './upload.reader';

@Module({
  controllers: [DatasetsController],
  providers: [
    DatasetsService,
    DatasetsRepository,
    DatasetRelationsRepository,
    UploadReader,
    {
      provide: ContentStore,
      inject: [OBJECT_STORE, APP_CONFIG],
      useFactory: (store: ObjectStore, config: AppConfig) => new ContentStore(store, config.fetch.maxBytes),
    },
    {
      provide: UrlFetcher,
      inject: [ContentStore, APP_CONFIG],
      useFactory: (content: ContentStore, config: AppConfig) => new UrlFetcher(content, fetchSettings(config)),
    },
  ],
  exports: [DatasetsRepository],
})
export class DatasetsModule {}
