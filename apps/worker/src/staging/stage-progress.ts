import type { ByteCounter } from './byte-streams';

const PROGRESS_INTERVAL_MS = 1_000;

export type StagePhase = 'loading' | 'publishing';

export interface StageProgress {
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  /** 1 on the first read of the file; 2 or 3 when the load started over. */
  pass: number;
  phase: StagePhase;
}

/** Reports progress every second, and on demand, until stopped. */
export class ProgressReporter {
  private state: StageProgress;
  private counter: ByteCounter | null = null;
  private rows: () => Promise<number> = async () => 0;
  private reporting = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    bytesTotal: number,
    private readonly onProgress?: (progress: StageProgress) => void,
  ) {
    this.state = { bytesDone: 0, bytesTotal, rowsDone: 0, pass: 1, phase: 'loading' };
    this.timer = setInterval(() => void this.report(), PROGRESS_INTERVAL_MS);
  }

  /** A pass starts reading the file from its first byte. */
  startPass(pass: number, counter: ByteCounter, rows: () => Promise<number>): void {
    this.state = { ...this.state, pass, bytesDone: 0, rowsDone: 0, phase: 'loading' };
    this.counter = counter;
    this.rows = rows;
  }

  async phase(phase: StagePhase, rowsDone: number): Promise<void> {
    this.rows = async () => rowsDone;
    this.state = { ...this.state, phase };
    await this.report();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async report(): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      const rowsDone = await this.rows().catch(() => this.state.rowsDone);
      this.state = { ...this.state, bytesDone: this.counter?.bytes ?? this.state.bytesDone, rowsDone };
      this.onProgress?.(this.state);
    } finally {
      this.reporting = false;
    }
  }
}
