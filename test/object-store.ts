import { Client as S3Client } from 'minio';
import { CREDENTIALS } from '../packages/devstack/dist/stack';
import { testStack } from './stack-env';

/** The test stack's object store, for what a test checks was (or was not) left in the bucket. */
export function s3(): S3Client {
  const endpoint = new URL(testStack().s3Endpoint);
  return new S3Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey: CREDENTIALS.s3AccessKey,
    secretKey: CREDENTIALS.s3SecretKey,
    region: 'us-east-1',
    pathStyle: true,
  });
}

/** Every object key in the bucket, sorted. */
export async function bucketKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of s3().listObjectsV2(CREDENTIALS.bucket, '', true)) if (item.name) keys.push(item.name);
  return keys.sort();
}

/** Multipart uploads still open under tmp/ (a cut-off fetch or upload must leave none). */
export async function openUploads(): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of s3().listIncompleteUploads(CREDENTIALS.bucket, 'tmp/', true)) keys.push(item.key);
  return keys;
}
