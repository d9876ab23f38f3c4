import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Health } from '@relayboard/contracts';
import type { Knex } from '@relayboard/db';
import type { PipelineQueue } from '@relayboard/queue';
import type { ObjectStore } from '@relayboard/storage';
import { KNEX, OBJECT_STORE, PIPELINE_QUEUE } from '../core/tokens';

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3_000))]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

@Controller('health')
export class HealthController {
  constructor(
    @Inject(KNEX) private readonly knex: Knex,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const [postgres, redis, objectStore] = await Promise.all([
      check(() => this.knex.raw('select 1')),
      check(() => this.queue.ping()),
      check(() => this.store.ping()),
    ]);
    const checks = { postgres, redis, objectStore };
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', checks };
  }
}
