import { Client } from 'pg';
import { UUID_PATTERN } from '@relayboard/contracts';

/** First key of Relayboard's advisory locks ("RB" + 1), so they never meet another application's. */
const LOCK_CLASS = 0x52420001;

export interface HeldLock {
  release(): Promise<void>;
  /**
   * Whether the lock's session is gone (PostgreSQL restarted, the connection
   * dropped): PostgreSQL released the lock with it, and another run may take it.
   */
  lost(): boolean;
  /**
   * Takes the lock again on a new session when it was lost (calling onWait
   * first if another run holds it meanwhile); true when it had been lost.
   * Throws while PostgreSQL cannot be reached.
   */
  ensure(onWait: () => Promise<void>): Promise<boolean>;
}

/** Who holds a lock: a run (its lock session is named after it), or another session (a delete, an older worker). */
export interface LockHolder {
  runId: string | null;
  /** The holding session's application_name, for messages when it is not a run. */
  session: string;
}

/** A run's lock session name (runLockSessionName), capturing the run's id. */
const RUN_HOLDER = new RegExp(`^relayboard-(?:lock|dbt-lock):run:(${UUID_PATTERN.source.slice(1, -1)})$`);

/** The session name of a lock session held for a run (63 bytes at most, PostgreSQL's limit). */
export function runLockSessionName(kind: 'lock' | 'dbt-lock', runId: string): string {
  return `relayboard-${kind}:run:${runId}`;
}

/**
 * The session (and so the run) holding the two-key advisory lock (key1, hashtext(key2)), or null
 * when nobody holds it now. Run on any connection to the lock's database.
 */
export async function advisoryLockHolder(client: Client, key1: number, key2: string): Promise<LockHolder | null> {
  // A two-key advisory lock shows as classid = key 1, objid = key 2 (as unsigned), objsubid = 2.
  const { rows } = await client.query<{ session: string | null }>(
    `select a.application_name as session
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = $1::bigint::oid and l.objid = (hashtext($2)::bigint & 4294967295)::oid
      order by l.mode desc
      limit 1`,
    [key1, key2],
  );
  if (!rows.length) return null;
  const session = rows[0].session ?? '';
  return { runId: RUN_HOLDER.exec(session)?.[1] ?? null, session };
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
  /** connectMs: connect timeout of the lock sessions (DB_CONNECT_TIMEOUT_MS); they get TCP keepalive and no statement timeout (pg_advisory_lock waits). */
  constructor(
    private readonly connectionString: string,
    private readonly connectMs = 10_000,
  ) {}

  private client(applicationName: string): Client {
    return new Client({
      connectionString: this.connectionString,
      application_name: applicationName,
      connectionTimeoutMillis: this.connectMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
  }

  /** Takes the dataset's lock, calling onWait once first if another run holds it. */
  async acquire(dataset: string, onWait: () => Promise<void>): Promise<HeldLock> {
    return (await this.take(dataset, onWait))!;
  }

  /**
   * Takes the dataset's lock if nobody holds it; null when a run (or a delete) does.
   * With a run id, the lock's session is named after the run, so holder() can say which run holds it.
   */
  tryAcquire(dataset: string, runId?: string): Promise<HeldLock | null> {
    return this.take(dataset, null, runId);
  }

  /** Who holds the dataset's lock now; null when nobody does. */
  async holder(dataset: string): Promise<LockHolder | null> {
    const client = this.client('relayboard-lock-check');
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await advisoryLockHolder(client, LOCK_CLASS, dataset);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * The datasets, of those named, whose lock some session holds now: for the
   * api's reconciler, which leaves alone a run whose dataset a live run holds.
   */
  async held(datasets: string[]): Promise<Set<string>> {
    if (!datasets.length) return new Set();
    const client = this.client('relayboard-lock-check');
    client.on('error', () => undefined);
    await client.connect();
    try {
      // A two-key advisory lock shows as classid = key 1, objid = key 2 (as unsigned), objsubid = 2.
      const { rows } = await client.query<{ name: string }>(
        `select n as name from unnest($2::text[]) as n
          where exists (select 1 from pg_locks l
                         where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                           and l.database = (select oid from pg_database where datname = current_database())
                           and l.classid = $1::bigint::oid and l.objid = (hashtext(n)::bigint & 4294967295)::oid)`,
        [LOCK_CLASS, datasets],
      );
      return new Set(rows.map((r) => r.name));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async take(dataset: string, onWait: (() => Promise<void>) | null, runId?: string): Promise<HeldLock | null> {
    let session = await this.session(dataset, onWait, runId);
    if (!session) return null;
    return {
      lost: () => session!.lost,
      ensure: async (wait) => {
        if (!session!.lost) return false;
        await session!.client.end().catch(() => undefined);
        session = (await this.session(dataset, wait, runId))!;
        return true;
      },
      release: async () => {
        const { client } = session!;
        await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, dataset]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  /** With a run id, the session is named after the run, so holder() can say which run holds the lock. */
  private async session(
    dataset: string,
    onWait: (() => Promise<void>) | null,
    runId?: string,
  ): Promise<{ client: Client; lost: boolean } | null> {
    const client = this.client(runId ? runLockSessionName('lock', runId) : `relayboard-lock:${dataset}`);
    const session = { client, lost: false };
    // A dropped connection also drops the lock: the runner sees lost() and takes it again before its next step.
    const onLost = () => {
      session.lost = true;
    };
    client.on('error', onLost);
    client.on('end', onLost);
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as locked',
        [LOCK_CLASS, dataset],
      );
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
    return session;
  }
}
