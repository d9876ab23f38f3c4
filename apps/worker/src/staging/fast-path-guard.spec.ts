import { FastPathGuard, NeedsNormalizingError } from './fast-path-guard';
import { pipeInChunks } from './stream.test-helper';

async function guard(input: string | Buffer, chunkSize = 4, delimiter = ',', quote = '"'): Promise<string> {
  return (await pipeInChunks(new FastPathGuard(delimiter, quote), input, chunkSize)).toString();
}

describe('FastPathGuard', () => {
  it.each([
    ['1,"a ""b"", c",""\n2,x,"y\nz"\n', '1,"a ""b"", c",""\n2,x,"y\nz"'],
    ['1,2\r\n3,4\r\n\r\n\r\n', '1,2\r\n3,4'],
    ['"x"\n"\n"\n', '"x"\n"\n"'],
    ['a,b', 'a,b'],
  ])('passes clean CSV through, dropping blank lines at the end (%#)', async (input, output) => {
    for (const size of [1, 2, 3, 64]) expect(await guard(input, size)).toBe(output);
  });

  it.each([
    ['1,5" screen\n', 'a quote inside an unquoted field'],
    ['1,"ab"c\n', 'text after a closing quote'],
    ['1,"abc\n', 'a quoted field is never closed'],
    ['1,a\0b\n', 'NUL bytes'],
    ['1,2\n\\.\n3,4\n', 'a line that is just \\.'],
  ])('stops on what COPY would read differently: %j', async (input, reason) => {
    for (const size of [1, 3, 64]) {
      const error = await guard(input, size).catch((e: Error) => e);
      expect(error).toBeInstanceOf(NeedsNormalizingError);
      expect((error as Error).message).toMatch(/quote|NUL|\\\./);
    }
    await expect(guard(input, 64)).rejects.toThrow(reason);
  });

  it('uses the given quote', async () => {
    expect(await guard("1;'a;b'\n", 2, ';', "'")).toBe("1;'a;b'");
    await expect(guard("1;it's\n", 2, ';', "'")).rejects.toThrow(NeedsNormalizingError);
  });
});
