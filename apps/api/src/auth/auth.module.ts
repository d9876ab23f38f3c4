import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuthGuard } from './auth.guard';
import { TokenBootstrap } from './token-bootstrap';
import { TokensController } from './tokens.controller';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

/** Api tokens, the global guard every route passes, and the audit log of changes. */
@Module({
  controllers: [TokensController, AuditController],
  providers: [
    TokensRepository,
    TokensService,
    AuditRepository,
    AuditService,
    TokenBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AuthModule {}
