import { Client } from 'pg';
import { advisoryLockHolder, runLockSessionName, type LockHolder } from './dataset-locks';

/** The locks of one dbt build, held until released (or until the session dies with its worker). */
export interface BuildLocks {
  release(): Promise<void>;
}

/** First key of the locks on people's dbt models ("RB" + 2); the dataset locks use "RB" + 1. */
const MODEL_LOCK_CLASS = 0x52420002;
/** The one lock every build of people's models takes: shared when the build names its models, exclusive when it cannot. */
const ALL_MODELS_KEY = '*';

/**
 * What a dbt build needs to lock. `models`: the people's models (dbt unique ids) the
 * build's selection contains, known from the latest manifest (none: the build shares
 * no model with another dataset's build, and only takes '*' shared). `all`: the
 * selection is unknown (no manifest yet, people's files changed since), so the build
 * takes '*' exclusively: it waits for every build running and they for it.
 */
export type BuildLockPlan = { kind: 'models'; models: string[] } | { kind: 'all'; reason: string };

/** A lock this build waits for: the model (or '*' for all people's models) and who holds it. */
export interface BuildLockWait {
  model: string | null;
  holder: LockHolder;
}

/**
 * dbt does not support two invocations building one model at once. Runs of one
 * dataset already take turns (DatasetLocks); a person's model that refs two
 * datasets is selected by both datasets' runs, so builds lock the people's models
 * they select: PostgreSQL advisory locks on each model's unique id, taken in sorted
 * order on one session (no two builds can wait for each other), after a shared
 * lock on '*', which a build whose selection is unknown takes exclusively. Held on
 * a connection of their own for the whole dbt build; a dead worker's go with its session.
 */
export class ModelBuildLocks {
  constructor(private readonly connectionString: string) {}

  /**
   * Takes the plan's locks, telling onWait (once per lock) who holds one before waiting for it.
   * Every build takes '*' (shared, or exclusive for `all`), so a build whose plan was made
   * before a person's file changed is waited for by the builds planned after it.
   */
  async acquire(
    runId: string,
    plan: BuildLockPlan,
    onWait: (wait: BuildLockWait) => Promise<void>,
  ): Promise<BuildLocks> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: runLockSessionName('dbt-lock', runId),
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const shared = plan.kind === 'models';
      await this.take(client, ALL_MODELS_KEY, shared, (holder) => onWait({ model: null, holder }));
      if (plan.kind === 'models') {
        for (const model of [...new Set(plan.models)].sort())
          await this.take(client, model, false, (holder) => onWait({ model, holder }));
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      release: async () => {
        await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  private async take(
    client: Client,
    key: string,
    shared: boolean,
    onWait: (holder: LockHolder) => Promise<void>,
  ): Promise<void> {
    const fn = shared ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const { rows } = await client.query<{ locked: boolean }>(`select ${fn}($1, hashtext($2)) as locked`, [
      MODEL_LOCK_CLASS,
      key,
    ]);
    if (rows[0].locked) return;
    const holder = await advisoryLockHolder(client, MODEL_LOCK_CLASS, key);
    if (holder) await onWait(holder);
    await client.query(`select ${shared ? 'pg_advisory_lock_shared' : 'pg_advisory_lock'}($1, hashtext($2))`, [
      MODEL_LOCK_CLASS,
      key,
    ]);
  }
}
