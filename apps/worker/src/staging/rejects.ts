import { createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { RejectedRecord } from './record-scanner';

/** Rejected records named in an error message or event. */
const EXAMPLES = 3;
const EXAMPLE_RAW_CHARS = 200;

export interface RejectExample {
  line: number;
  reason: string;
  raw: string;
}

/** Raw bytes as text PostgreSQL can store: bad UTF-8 and NUL bytes become U+FFFD. */
export function rawText(raw: Buffer): string {
  return raw.toString('utf8').replace(/\0/g, '\uFFFD');
}

function csvQuote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** One rejects-table row as COPY CSV input: line_number, record_number, reason, raw, raw_bytes. */
export function rejectCopyLine(reject: RejectedRecord): string {
  const truncated =
    reject.rawBytes > reject.raw.length
      ? ` (raw text cut to its first ${reject.raw.length} of ${reject.rawBytes} bytes)`
      : '';
  return `${reject.line},${reject.record},${csvQuote(reject.reason + truncated)},${csvQuote(rawText(reject.raw))},${reject.rawBytes}\n`;
}

/**
 * Collects rejected records in a temporary file while the load streams (a file
 * may have many, and COPY holds the connection), so they can be copied into the
 * rejects table afterwards. Keeps the first few in memory for messages.
 */
export class RejectsSpool {
  private readonly dir: string;
  private readonly file: string;
  private out: WriteStream | null = null;
  private error: Error | null = null;
  readonly examples: RejectExample[] = [];
  count = 0;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-rejects-'));
    this.file = path.join(this.dir, 'rejects.csv');
  }

  add(reject: RejectedRecord): void {
    this.count++;
    if (this.examples.length < EXAMPLES) {
      this.examples.push({
        line: reject.line,
        reason: reject.reason,
        raw: rawText(reject.raw.subarray(0, EXAMPLE_RAW_CHARS * 4)).slice(0, EXAMPLE_RAW_CHARS),
      });
    }
    this.writer().write(rejectCopyLine(reject));
  }

  /** Finishes writing; the spooled rows, or null if there were none. */
  async close(): Promise<Readable | null> {
    if (!this.out) return null;
    const out = this.out;
    this.out = null;
    await new Promise<void>((resolve) => out.end(resolve));
    if (this.error) throw new Error(`could not keep the rejected rows in ${this.file}: ${this.error.message}`);
    return createReadStream(this.file);
  }

  /** Starts over, for a load that begins again from the first byte. */
  async reset(): Promise<void> {
    const out = this.out;
    this.out = null;
    if (out) await new Promise<void>((resolve) => out.end(resolve));
    rmSync(this.file, { force: true });
    this.examples.length = 0;
    this.count = 0;
    this.error = null;
  }

  dispose(): void {
    this.out?.destroy();
    this.out = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writer(): WriteStream {
    if (this.out) return this.out;
    // Opened at once, so a load that ends early cannot remove the folder under a pending open.
    const out = createWriteStream('', { fd: openSync(this.file, 'w') });
    out.on('error', (error) => {
      this.error ??= error;
    });
    this.out = out;
    return out;
  }
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

export function describeExample(example: RejectExample): string {
  return `line ${example.line} of the file (${JSON.stringify(example.raw)}): ${example.reason}`;
}

export interface RejectsVerdict {
  ok: boolean;
  /** Rejected rows over all rows. */
  share: number;
  message: string;
}

/**
 * Whether a load with rejects may be published: the rejected rows must not be
 * more than `maxShare` of all rows. The message names the counts, the first
 * rejects and what to do.
 */
export function judgeRejects(input: {
  dataset: string;
  loadedRows: number;
  rejectedRows: number;
  rejects: number;
  examples: RejectExample[];
  maxShare: number;
}): RejectsVerdict {
  const { dataset, loadedRows, rejectedRows, rejects, examples, maxShare } = input;
  const total = loadedRows + rejectedRows;
  const share = total === 0 ? 0 : rejectedRows / total;
  const first = examples[0];
  const others = examples.slice(1).map(describeExample).join('; ');
  const counts = `${rejectedRows} of ${total} rows rejected (${percent(share)})`;
  const swallowed = rejectedRows > rejects ? ` in ${rejects} records` : '';
  if (share > maxShare) {
    return {
      ok: false,
      share,
      message:
        `the CSV for "${dataset}" could not be loaded at ${first ? describeExample(first) : 'some rows'}; ` +
        `${counts}${swallowed}, more than REJECT_MAX_SHARE allows (${percent(maxShare)})` +
        `${others ? `; also ${others}` : ''}. ` +
        `Fix those rows in the source file and register it again, or raise REJECT_MAX_SHARE to load the other rows and keep these in staging.${dataset}__rejects`,
    };
  }
  return {
    ok: true,
    share,
    message:
      rejects === 0
        ? `no rows rejected`
        : `${counts}${swallowed}; they are in staging.${dataset}__rejects (first: ${first ? describeExample(first) : '?'})`,
  };
}
