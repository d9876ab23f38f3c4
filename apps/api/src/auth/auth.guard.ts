import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AppConfig } from '@relayboard/config';
import type { TokenScope } from '@relayboard/contracts';
import { APP_CONFIG } from '../core/tokens';
import { authorize, type RequestToken } from './auth-policy';
import { REQUIRED_SCOPE } from './require-scope.decorator';
import { TokensService } from './tokens.service';

/** What the guard leaves on the request for the audit log and the handlers. */
export type AuthenticatedRequest = Request & { apiToken?: RequestToken | null };

/** Registered globally (APP_GUARD): every route needs a token of the right scope but the public paths of auth-policy.ts, unless AUTH=off. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    req.apiToken = await authorize({
      authEnabled: this.config.auth.enabled,
      method: req.method,
      path: req.path,
      authorization: req.headers.authorization,
      routeScope: this.reflector.getAllAndOverride<TokenScope | undefined>(REQUIRED_SCOPE, [
        context.getHandler(),
        context.getClass(),
      ]),
      lookup: (token) => this.tokens.authenticate(token),
    });
    return true;
  }
}
