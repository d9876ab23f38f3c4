import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { Client } from 'pg';
import { CSV_COLUMNS } from './csv.generator';
import type { ParserJob, ParserReport } from './parser.contender';
import { requireBuilt } from './workspace';

type Config = typeof import('../../packages/config/dist/index');
type Storage = typeof import('../../packages/storage/dist/index');
type CopyStreams = typeof import('../../apps/worker/node_modules/@types/pg-copy-streams');

type Field = string | null;

/** One value in COPY's text format: \N for NULL, backslash escapes for the bytes that format reserves; NUL bytes dropped. */
function copyText(value: Field): string {
  if (value === null) return '\\N';
  if (!/[\\\t\n\r\0]/.test(value)) return value;
  return value
    .replace(/\0/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** Records (arrays of fields) in, COPY text out, in blocks; a record with the wrong number of fields is counted and left out. */
class CopyTextWriter extends Transform {
  rows = 0;
  skipped = 0;
  private lines: string[] = [];

  constructor(private readonly columns: number) {
    super({ writableObjectMode: true });
  }

  override _transform(record: Field[], _enc: BufferEncoding, done: TransformCallback): void {
    if (record.length !== this.columns) {
      this.skipped++;
      return done();
    }
    this.rows++;
    this.lines.push(record.map(copyText).join('\t'));
    if (this.lines.length >= 1000) this.flushLines();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.flushLines();
    done();
  }

  private flushLines(): void {
    if (this.lines.length === 0) return;
    this.push(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }
}

/** Drops the header record. */
class SkipFirst extends Transform {
  private first = true;
  constructor() {
    super({ objectMode: true });
  }
  override _transform(record: Field[], _enc: BufferEncoding, done: TransformCallback): void {
    if (this.first) {
      this.first = false;
      return done();
    }
    done(null, record);
  }
}

/**
 * csv-parse, streaming, with the cast context telling a quoted "" (the empty
 * string) from an unquoted empty field (NULL), as Relayboard reads them.
 */
function csvParseStream(): Transform {
  return csvParse({
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    from_line: 2,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
}

/** papaparse on a Node stream; it has no way to tell "" from an empty field, so both are loaded as NULL. */
function papaparseStream(): Transform {
  const rows = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: true }) as unknown as Transform;
  const nulls = new Transform({
    objectMode: true,
    transform(record: string[], _enc, done) {
      done(
        null,
        record.map((v) => (v === '' ? null : v)),
      );
    },
  });
  return Object.assign(rows, { nulls });
}

async function loadOnce(job: ParserJob): Promise<ParserReport> {
  const { loadConfig } = requireBuilt<Config>('packages/config/dist/index.js');
  const { ObjectStore } = requireBuilt<Storage>('packages/storage/dist/index.js');
  // pg-copy-streams is the worker's dependency, as the stage step uses it.
  const { from: copyFrom } = requireBuilt<CopyStreams>('apps/worker/node_modules/pg-copy-streams/index.js');
  const config = loadConfig();
  const store = new ObjectStore(config.s3);
  const client = new Client({
    connectionString: config.warehouseUrl,
    application_name: `relayboard-bench-${job.parser}`,
  });
  await client.connect();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const stopped: { bytes?: number } = {};
  let timer: NodeJS.Timeout | undefined;
  try {
    const writer = new CopyTextWriter(CSV_COLUMNS.length);
    const copy = client.query(copyFrom(`copy ${job.table} (${CSV_COLUMNS.join(', ')}) from stdin`));
    const source = await store.getStream(job.objectKey);
    let bytesRead = 0;
    source.on('data', (chunk: Buffer) => {
      bytesRead += chunk.length;
    });
    // A parser too slow to finish in the time given is stopped; what it read by then gives its rate.
    timer = setTimeout(() => {
      stopped.bytes = bytesRead;
      source.destroy(new Error('time limit'));
    }, job.timeoutS * 1000);
    if (job.parser === 'csv-parse') {
      await pipeline(source, csvParseStream(), writer, copy);
    } else {
      const papa = papaparseStream() as Transform & { nulls: Transform };
      await pipeline(source, papa, new SkipFirst(), papa.nulls, writer, copy);
    }

    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      ok: true,
      seconds,
      rows: writer.rows,
      skipped: writer.skipped,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    return {
      ok: false,
      seconds,
      error:
        stopped.bytes !== undefined
          ? `stopped after ${seconds.toFixed(0)} s, having read ${(stopped.bytes / 1e6).toFixed(1)} MB (${(stopped.bytes / 1e6 / seconds).toFixed(2)} MB/s)`
          : error instanceof Error
            ? error.message
            : String(error),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => undefined);
  }
}

process.once('message', (job: ParserJob) => {
  void loadOnce(job)
    .catch((error: unknown): ParserReport => ({
      ok: false,
      seconds: 0,
      error: `setting up the ${job.parser} load failed: ${error instanceof Error ? error.message : String(error)}`,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    }))
    .then((report) => process.send?.(report, () => process.disconnect()));
});
