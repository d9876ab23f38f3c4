import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuthGuard } from './auth.guard';
import { TokenBootstrap } from './token-bootstrap';
import { TokensController } from './tokens.controller';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

/** Api tokens, the global guard every route passes, and the audit log of changes (its middleware is mounted in main.ts). */
@Module({
  controllers: [TokensController, AuditController],
  providers: [
    TokensRepository,
    TokensService,
    AuditRepository,
    AuditService,
    TokenBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AuthModule {}
