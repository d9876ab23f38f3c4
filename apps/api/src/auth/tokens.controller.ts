import { Body, Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import {
  createTokenRequestSchema,
  type ApiToken,
  type CreatedToken,
  type CreateTokenRequest,
  type CurrentToken,
  type TokenList,
} from '@relayboard/contracts';
import type { AppConfig } from '@relayboard/config';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { APP_CONFIG } from '../core/tokens';
import type { RequestToken } from './auth-policy';
import { RequestTokenOf } from './request-token.decorator';
import { RequireScope } from './require-scope.decorator';
import { TokensService } from './tokens.service';

@Controller('v1/tokens')
@RequireScope('admin')
export class TokensController {
  constructor(
    @Inject(TokensService) private readonly service: TokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 201 with the token's secret in `token`: shown this once, stored only as its hash. */
  @Post()
  create(
    @Body(new ZodValidationPipe(createTokenRequestSchema)) body: CreateTokenRequest,
    @RequestTokenOf() by: RequestToken | null,
  ): Promise<CreatedToken> {
    return this.service.create(body, by);
  }

  /** Every token, revoked and expired ones included; never a secret. */
  @Get()
  async list(): Promise<TokenList> {
    return { tokens: await this.service.list() };
  }

  /** The token the request carries, whatever its scope: how the board checks a token at sign-in. */
  @Get('current')
  @RequireScope('read')
  async current(@RequestTokenOf() token: RequestToken | null): Promise<CurrentToken> {
    if (!this.config.auth.enabled || !token) return { auth: this.config.auth.enabled ? 'on' : 'off', token: null };
    return { auth: 'on', token: await this.service.get(token.id) };
  }

  /** Revokes the token at once (200 with it, now revoked); its next request is refused with 401. */
  @Delete(':id')
  revoke(@Param('id') id: string): Promise<ApiToken> {
    return this.service.revoke(id);
  }
}
