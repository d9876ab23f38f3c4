import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyUnit } from './copy-chunker';

/** A COPY connection went away (terminated, restarted, network): nothing about the file. */
export class CopyConnectionError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'CopyConnectionError';
  }
}

/** Class 08 is "connection exception", 57P "operator intervention" (a terminated backend, a shutdown). */
function isConnectionLoss(error: Error): boolean {
  const code = (error as { code?: string }).code;
  if (code?.startsWith('08') || code?.startsWith('57P')) return true;
  return /Connection terminated|Client has encountered a connection error|ECONNRESET|EPIPE/.test(error.message);
}

export interface ParallelCopyOptions {
  warehouse: Pool;
  /** The load's own connection: the first stream. */
  client: PoolClient;
  /** Streams at most; more connections are taken from the pool only when a second unit comes. */
  streams: number;
  /** `copy <table> (...) from stdin with (...)`. */
  copySql: string;
  /**
   * The temporary sequence (pg_temp.<name>) the table's row number default
   * draws from, set to each unit's first record before its COPY; null when the
   * units carry the number.
   */
  rowSequence: string | null;
}

interface Slot {
  client: PoolClient;
  own: boolean;
  busy: Promise<void> | null;
  /** The row sequence exists on this connection. */
  numbered: boolean;
  copy: Writable | null;
  error: Error | null;
  onError: ((error: Error) => void) | null;
}

/**
 * Loads units of whole records with up to `streams` COPY commands at once, each
 * on its own connection, into one table. A unit is a COPY of its own; with a
 * row sequence, its rows are numbered from the unit's first record, so every row
 * keeps its record number whichever stream loaded it. The first error stops
 * every stream (the others get CopyFail) and is what the stream fails with.
 */
export class ParallelCopy extends Writable {
  private readonly slots: Slot[] = [];
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];
  /** Rows COPY reported for finished units. */
  rows = 0;

  constructor(private readonly options: ParallelCopyOptions) {
    super({ objectMode: true, highWaterMark: 1 });
    this.slots.push({
      client: options.client,
      own: true,
      busy: null,
      numbered: false,
      copy: null,
      error: null,
      onError: null,
    });
  }

  override _write(unit: CopyUnit, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.slotFor()
      .then((slot) => {
        if (this.failure) return done(this.failure);
        slot.busy = this.load(slot, unit).then(
          () => {
            slot.busy = null;
            this.wake();
          },
          (error: Error) => {
            slot.busy = null;
            const lost = slot.error ?? (isConnectionLoss(error) ? error : null);
            this.fail(lost ? new CopyConnectionError(lost) : error);
          },
        );
        done();
      })
      .catch((error: Error) => done(error));
  }

  override _final(done: (error?: Error | null) => void): void {
    void this.settle().then(() => done(this.failure));
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (error) this.fail(error);
    void this.settle().then(() => done(error));
  }

  /** Ends the extra connections: back to the pool, or discarded when cut. Call once the stream is done. */
  async release(): Promise<void> {
    await this.settle();
    for (const slot of this.slots) {
      if (slot.numbered && slot.error === null) {
        await slot.client.query(`drop sequence if exists pg_temp.${this.options.rowSequence}`).catch((error: Error) => {
          slot.error ??= error;
        });
      }
      if (slot.own) continue;
      if (slot.onError) slot.client.off('error', slot.onError);
      slot.client.release(slot.error ?? undefined);
    }
    this.slots.splice(1);
  }

  /** Waits for every unit in flight to end. */
  private async settle(): Promise<void> {
    for (;;) {
      const busy = this.slots.map((s) => s.busy).filter((b): b is Promise<void> => b !== null);
      if (busy.length === 0) return;
      await Promise.allSettled(busy);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const slot of this.slots) slot.copy?.destroy(this.failure);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** An idle connection, opening one more while there are fewer than `streams`. */
  private async slotFor(): Promise<Slot> {
    for (;;) {
      if (this.failure) throw this.failure;
      const idle = this.slots.find((s) => s.busy === null);
      if (idle) return idle;
      if (this.slots.length < this.options.streams) return this.open();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private async open(): Promise<Slot> {
    const client = await this.options.warehouse.connect();
    const slot: Slot = { client, own: false, busy: null, numbered: false, copy: null, error: null, onError: null };
    slot.onError = (error: Error) => {
      slot.error ??= error;
    };
    client.on('error', slot.onError);
    this.slots.push(slot);
    return slot;
  }

  private async load(slot: Slot, unit: CopyUnit): Promise<void> {
    const { rowSequence, copySql } = this.options;
    if (rowSequence) {
      if (!slot.numbered) await slot.client.query(`create temp sequence if not exists ${rowSequence}`);
      slot.numbered = true;
      await slot.client.query(`select setval('pg_temp.${rowSequence}', ${unit.firstRecord}, false)`);
    }
    const copy = slot.client.query(copyFrom(copySql));
    slot.copy = copy;
    try {
      copy.cork();
      for (const piece of unit.pieces) copy.write(piece);
      copy.end();
      await finished(copy);
      this.rows += Number(copy.rowCount);
    } finally {
      slot.copy = null;
    }
  }
}
