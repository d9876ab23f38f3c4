import type { ObjectStore } from '@relayboard/storage';
import { PermanentStepError, type PipelineStep } from './step';

/** Checks that the dataset version's object is in the store, with the size recorded at registration. */
export class FetchStep implements PipelineStep {
  readonly name = 'fetch' as const;

  constructor(private readonly store: ObjectStore) {}

  async run({ version }: Parameters<PipelineStep['run']>[0]) {
    const object = await this.store.stat(version.object_key);
    if (!object) {
      throw new PermanentStepError(
        `object ${version.object_key} is missing from bucket "${this.store.bucket}"; register the dataset again to store the CSV anew`,
      );
    }
    if (object.size !== Number(version.size_bytes)) {
      throw new PermanentStepError(`object ${version.object_key} has ${object.size} bytes where ${version.size_bytes} were stored; register the dataset again`);
    }
    return { bytes: object.size, sha256: version.sha256 };
  }
}
