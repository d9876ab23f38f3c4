import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import { DOCS_ASSETS, DOCS_CSP, DOCS_PAGE, docsAsset } from './docs-page';
import { openApiDocument } from './openapi.document';

/** The OpenAPI document and its rendered page, outside /v1: they need no token. */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document(): Record<string, unknown> {
    return openApiDocument();
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_CSP)
  page(): string {
    return DOCS_PAGE;
  }

  @Get('docs/:asset')
  asset(@Param('asset') name: string, @Res() res: Response): void {
    const bytes = docsAsset(name);
    if (!bytes) {
      throw new DomainError(
        ErrorCode.NotFound,
        `no file "${name}" under /docs; the page is GET /docs and the document GET /openapi.json`,
      );
    }
    const type = DOCS_ASSETS[name];
    res
      .status(200)
      .type(type.startsWith('text/') ? `${type}; charset=utf-8` : type)
      .setHeader('cache-control', 'public, max-age=3600');
    res.end(bytes);
  }
}
