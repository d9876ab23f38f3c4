import { judgeRejects, rawText, rejectCopyLine, RejectsSpool } from './rejects';

const reject = (
  line: number,
  raw: string,
  reason = 'extra data after last expected column: 3 fields where the header has 2',
) => ({
  line,
  record: line - 1,
  reason,
  raw: Buffer.from(raw),
  rawBytes: Buffer.byteLength(raw),
  rows: 1,
});

describe('judgeRejects', () => {
  const base = {
    dataset: 'orders',
    examples: [
      { line: 3, raw: '3,4,5', reason: 'extra data after last expected column: 3 fields where the header has 2' },
    ],
    maxShare: 0.01,
  };

  it('fails a load whose rejects pass the share, naming the first reject, the counts and the fixes', () => {
    const sut = judgeRejects({ ...base, loadedRows: 2, rejectedRows: 1, rejects: 1 });
    expect(sut.ok).toBe(false);
    expect(sut.message).toBe(
      'the CSV for "orders" could not be loaded at line 3 of the file ("3,4,5"): extra data after last expected column: 3 fields where the header has 2; ' +
        '1 of 3 rows rejected (33.3%), more than REJECT_MAX_SHARE allows (1%). ' +
        'Fix those rows in the source file and register it again, or raise REJECT_MAX_SHARE to load the other rows and keep these in staging.orders__rejects',
    );
  });

  it('passes a load at exactly the share', () => {
    const sut = judgeRejects({ ...base, loadedRows: 99, rejectedRows: 1, rejects: 1 });
    expect(sut.ok).toBe(true);
    expect(sut.share).toBe(0.01);
    expect(sut.message).toMatch(/^1 of 100 rows rejected \(1%\); they are in staging.orders__rejects/);
  });

  it('counts the lines an unterminated quote swallowed', () => {
    const sut = judgeRejects({ ...base, loadedRows: 10, rejectedRows: 90, rejects: 1 });
    expect(sut.ok).toBe(false);
    expect(sut.message).toContain('90 of 100 rows rejected (90%) in 1 records');
  });

  it('passes a load without rows', () => {
    expect(judgeRejects({ ...base, examples: [], loadedRows: 0, rejectedRows: 0, rejects: 0 }).ok).toBe(true);
  });
});

describe('rejectCopyLine', () => {
  it('writes a CSV row with quoted reason and raw text', () => {
    expect(rejectCopyLine(reject(7, 'a,"b"'))).toBe(
      '7,6,"extra data after last expected column: 3 fields where the header has 2","a,""b""",5\n',
    );
  });

  it('says when the raw text was cut', () => {
    const sut = { ...reject(2, 'abc'), rawBytes: 10 };
    expect(rejectCopyLine(sut)).toContain('(raw text cut to its first 3 of 10 bytes)');
  });
});

describe('rawText', () => {
  it('replaces bytes PostgreSQL cannot store', () => {
    expect(rawText(Buffer.from([0x61, 0x00, 0xff, 0x62]))).toBe('a\uFFFD\uFFFDb');
  });
});

describe('RejectsSpool', () => {
  it('spools every reject and keeps the first three as examples', async () => {
    const sut = new RejectsSpool();
    try {
      for (let i = 0; i < 5; i++) sut.add(reject(i + 2, `row ${i}`));
      expect(sut.count).toBe(5);
      expect(sut.examples.map((e) => e.line)).toEqual([2, 3, 4]);
      const stream = await sut.close();
      const chunks: Buffer[] = [];
      for await (const chunk of stream!) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString().trim().split('\n')).toHaveLength(5);
    } finally {
      sut.dispose();
    }
  });

  it('has nothing to copy when nothing was rejected, and starts over on reset', async () => {
    const sut = new RejectsSpool();
    try {
      sut.add(reject(2, 'x'));
      await sut.reset();
      expect(sut.count).toBe(0);
      expect(await sut.close()).toBeNull();
    } finally {
      sut.dispose();
    }
  });
});

describe('RejectsSpool, disposed early', () => {
  it('survives being disposed right after the first reject', async () => {
    const sut = new RejectsSpool();
    sut.add(reject(2, 'x'));
    sut.dispose();
    await new Promise((r) => setTimeout(r, 50));
    expect(sut.count).toBe(1);
  });
});
