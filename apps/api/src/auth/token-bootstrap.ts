import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import { APP_CONFIG } from '../core/tokens';
import { AuditService } from './audit.service';
import { TokensService } from './tokens.service';

export const BOOTSTRAP_TOKEN_NAME = 'bootstrap admin';

/**
 * With AUTH_BOOTSTRAP_TOKEN_FILE (the local stack sets it), the api creates a first admin token at
 * start when no active admin token exists and writes it to that file (mode 0600). Once one exists,
 * nothing is created or written: more tokens come from POST /v1/tokens.
 */
@Injectable()
export class TokenBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.auth.enabled) {
      this.logger.warn('AUTH=off: every route answers without a token; use this only on a single trusted laptop');
      return;
    }
    const file = this.config.auth.bootstrapTokenFile;
    if (!file) return;
    const created = await this.tokens.bootstrapAdmin(BOOTSTRAP_TOKEN_NAME, (token) => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${token.token}\n`, { mode: 0o600 });
      // writeFileSync's mode applies only to a new file.
      chmodSync(file, 0o600);
    });
    if (!created) {
      this.logger.log(`an active admin token exists; AUTH_BOOTSTRAP_TOKEN_FILE (${file}) is left as it is`);
      return;
    }
    await this.audit.record({
      token_id: null,
      token_name: null,
      method: 'BOOTSTRAP',
      route: 'AUTH_BOOTSTRAP_TOKEN_FILE',
      path: file,
      target_id: created.id,
      status: 201,
      remote_address: null,
    });
    this.logger.log(`created the first admin token "${created.name}" and wrote it to ${file} (mode 0600)`);
  }
}
