import { Controller, Get, Inject, Query } from '@nestjs/common';
import { listAuditQuerySchema, type AuditList, type ListAuditQuery } from '@relayboard/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditService } from './audit.service';
import { RequireScope } from './require-scope.decorator';

@Controller('v1/audit')
@RequireScope('admin')
export class AuditController {
  constructor(@Inject(AuditService) private readonly service: AuditService) {}

  /** Every change made through the api, newest first, `limit` a page (nextCursor for older ones). */
  @Get()
  list(@Query(new ZodValidationPipe(listAuditQuerySchema, 'query')) query: ListAuditQuery): Promise<AuditList> {
    return this.service.list(query);
  }
}
