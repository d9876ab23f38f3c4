import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { filter, Subject, type Observable } from 'rxjs';
import type { AppConfig } from '@relayboard/config';
import { RUN_CHANGES_CHANNEL } from '@relayboard/db';
import { APP_CONFIG } from '../core/tokens';

const RECONNECT_MS = 2_000;

/**
 * One LISTEN connection per api process for every open event stream: the
 * metadata database notifies RUN_CHANGES_CHANNEL with a run's id whenever the
 * run, a step or an event of it changes. If the connection drops, it connects
 * again; streams also look again every few seconds, so nothing is missed meanwhile.
 */
@Injectable()
export class RunChangesListener implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('run-changes');
  private readonly changes = new Subject<string>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Changes of one run; connects on first use. */
  forRun(runId: string): Observable<string> {
    return this.all().pipe(filter((id) => id === runId));
  }

  /**
   * Resolves once the LISTEN connection is up (or its attempt failed, to be retried):
   * a stream that answers only after this sees every change made after its answer.
   */
  listening(): Promise<void> {
    return this.ensureConnected();
  }

  /** The id of every run that changes; connects on first use. */
  all(): Observable<string> {
    void this.ensureConnected();
    return this.changes.asObservable();
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'relayboard-api-listen' });
    const retry = (error: Error) => {
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(
        `listening for run changes stopped (${error.message}); trying again in ${RECONNECT_MS / 1000} s`,
      );
      setTimeout(() => void this.ensureConnected(), RECONNECT_MS).unref();
    };
    client.on('error', retry);
    client.on('notification', (message) => {
      if (message.channel === RUN_CHANGES_CHANNEL && message.payload) this.changes.next(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${RUN_CHANGES_CHANNEL}`);
      this.client = client;
    } catch (error) {
      retry(error as Error);
    }
  }

  /** Before the HTTP server closes: streams that follow every run end here, or the server would wait for them. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    this.changes.complete();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.changes.complete();
    await this.client?.end().catch(() => undefined);
  }
}
