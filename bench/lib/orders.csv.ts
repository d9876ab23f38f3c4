import { writeFileSync } from 'node:fs';

/** An order feed with a column of each common type, the same bytes for the same row count. */
export function writeOrdersCsv(file: string, rows: number): void {
  const customers = ['Acme Corp', 'Hooli', 'Tyrell Corp', 'Wayne Enterprises', 'Initech, Inc.'];
  const statuses = ['placed', 'shipped', 'returned'];
  const lines = ['order_id,ordered_at,customer,status,quantity,unit_price,shipped_on,paid'];
  for (let i = 1; i <= rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    const customer = customers[i % customers.length];
    lines.push(
      [
        1000 + i,
        `2026-01-${day}T${String(i % 24).padStart(2, '0')}:15:00Z`,
        customer.includes(',') ? `"${customer}"` : customer,
        statuses[i % 3],
        (i % 19) + 1,
        ((i * 37) % 90000) / 100 + 1,
        `2026-02-${day}`,
        i % 2 === 0 ? 'true' : 'false',
      ].join(','),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}
