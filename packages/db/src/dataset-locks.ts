import { Client } from 'pg';

/** First key of Relayboard's advisory locks ("RB" + 1), so they never meet another application's. */
const LOCK_CLASS = 0x52420001;

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One run per dataset at a time, on any number of workers and machines: a
 * PostgreSQL advisory lock keyed on the dataset name, held on a connection of
 * its own for as long as the run stages and builds, and while the api deletes
 * the dataset. dbt does not support two invocations building the same models,
 * and two stages of one dataset would swap staging tables under each other.
 * If the worker dies, PostgreSQL ends the session and the lock goes with it.
 */
export class DatasetLocks {
  constructor(private readonly connectionString: string) {}

  /** Takes the dataset's lock, calling onWait once first if another run holds it. */
  async acquire(dataset: string, onWait: () => Promise<void>): Promise<HeldLock> {
    return (await this.take(dataset, onWait))!;
  }

  /** Takes the dataset's lock if nobody holds it; null when a run (or a delete) does. */
  tryAcquire(dataset: string): Promise<HeldLock | null> {
    return this.take(dataset, null);
  }

  private async take(dataset: string, onWait: (() => Promise<void>) | null): Promise<HeldLock | null> {
    const client = new Client({ connectionString: this.connectionString, application_name: `relayboard-lock:${dataset}` });
    // A dropped connection also drops the lock; the run's own queries then fail and it is retried.
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as locked', [LOCK_CLASS, dataset]);
      if (!rows[0].locked) {
        if (!onWait) {
          await client.end().catch(() => undefined);
          return null;
        }
        await onWait();
        await client.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, dataset]);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      release: async () => {
        await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, dataset]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }
}
