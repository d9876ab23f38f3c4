import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type AuditEntry, type AuditList, type ListAuditQuery } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import { decodeCursor, page } from '../common/cursor';
import { AuditRepository, type AuditRow, type NewAuditEntry } from './audit.repository';

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    token: row.token_id && row.token_name !== null ? { id: row.token_id, name: row.token_name } : null,
    method: row.method,
    route: row.route,
    path: row.path,
    targetId: row.target_id,
    status: row.status,
    remoteAddress: row.remote_address,
  };
}

@Injectable()
export class AuditService {
  constructor(@Inject(AuditRepository) private readonly repository: AuditRepository) {}

  record(entry: NewAuditEntry): Promise<void> {
    return this.repository.insert(entry);
  }

  async list(query: ListAuditQuery): Promise<AuditList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string']).map(String) : null;
    if (after && (Number.isNaN(Date.parse(after[0])) || !/^\d{1,18}$/.test(after[1]))) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        'invalid request query: cursor: is not a cursor this api gave out (use nextCursor from the previous page, or leave it out for the first page)',
      );
    }
    const rows = await this.repository.list(query.limit + 1, after ? { atKey: after[0], id: after[1] } : null);
    const { items, nextCursor } = page(rows, query.limit, (row) => [row.at_key, String(row.id)]);
    return { entries: items.map(toEntry), nextCursor };
  }
}
