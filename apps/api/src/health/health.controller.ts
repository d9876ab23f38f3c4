import { Controller, Get, Inject, OnModuleInit, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AppConfig } from '@relayboard/config';
import type { Health, Liveness } from '@relayboard/contracts';
import type { Knex } from '@relayboard/db';
import type { PipelineQueue } from '@relayboard/queue';
import type { ObjectStore } from '@relayboard/storage';
import { APP_CONFIG, KNEX, OBJECT_STORE, PIPELINE_QUEUE } from '../core/tokens';
import { DbtProbe, type ProbeResult } from './dbt-probe';

async function check(probe: () => Promise<unknown>): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 3 s')), 3_000))),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness: the process answers. No dependency is asked, so a slow database never makes it fail or wait. */
@Controller('health')
export class HealthController {
  @Get()
  health(): Liveness {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }
}

/** Readiness: PostgreSQL, Redis, the object store and dbt all answer; 503 with each check's result otherwise. */
@Controller('ready')
export class ReadyController implements OnModuleInit {
  private readonly dbt: DbtProbe | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(KNEX) private readonly knex: Knex,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {
    this.dbt = config.api.readyChecksDbt ? new DbtProbe(config.dbt.bin) : null;
  }

  onModuleInit(): void {
    void this.dbt?.refresh();
  }

  @Get()
  async ready(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const [postgres, redis, objectStore] = await Promise.all([
      check(() => this.knex.raw('select 1')),
      check(() => this.queue.ping()),
      check(() => this.store.ping()),
    ]);
    const checks: Health['checks'] = { postgres, redis, objectStore, ...(this.dbt ? { dbt: this.dbt.current() } : {}) };
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', checks };
  }
}
