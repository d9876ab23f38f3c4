/**
 * Shared by the api's content store (packages/sources, at registration and upload)
 * and the worker's dialect detection (apps/worker/src/staging/dialect.ts).
 * Recognises bytes that are plainly not text by their magic bytes, so that an
 * image, an archive, a PDF or a program given as a CSV is refused when it is
 * registered or uploaded, instead of being stored and failing later in staging.
 * Only signatures a CSV does not start with: most begin with a control or
 * non-ASCII byte; the ASCII ones (GIF87a, %PDF-, PAR1, Rar!) are specific, and
 * "MZ" and "BZh" count only with the bytes a program or a bzip2 stream has next. Text that is not CSV (HTML, JSON)
 * is left to the worker's dialect detection, which also checks these
 * signatures, for files stored before registration refused them.
 */
export interface BinaryKind {
  /** Short machine name, e.g. "png", for details. */
  kind: string;
  /** What the bytes look like, for a person: "a PNG image". */
  what: string;
  /** What to do instead, when there is something better to say than "give the CSV itself". */
  advice?: string;
}

/** How many leading bytes sniffBinary looks at (fewer is fine for short content). */
export const SNIFF_BYTES = 64;

const ZIP = {
  kind: 'zip',
  what: 'a ZIP archive (an .xlsx, .docx or .jar is one too)',
  advice: 'export the sheet as CSV, or unzip the CSV first',
};
const UNPACK = 'decompress it first (only gzip is decompressed for you)';

const SIGNATURES: (BinaryKind & { bytes: number[] | string })[] = [
  // Fetches and uploads decompress gzip once; what still starts like gzip was compressed twice.
  {
    kind: 'gzip',
    what: 'still gzip-compressed after decompressing it once (compressed twice?)',
    advice: 'decompress it before registering',
    bytes: [0x1f, 0x8b],
  },
  { kind: 'png', what: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { kind: 'jpeg', what: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'gif', what: 'a GIF image', bytes: 'GIF87a' },
  { kind: 'gif', what: 'a GIF image', bytes: 'GIF89a' },
  { ...ZIP, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { ...ZIP, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { ...ZIP, bytes: [0x50, 0x4b, 0x07, 0x08] },
  {
    kind: 'ole',
    what: 'an old Office document (.xls or .doc)',
    advice: 'export the sheet as CSV',
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  },
  { kind: 'parquet', what: 'a Parquet file', advice: 'export it as CSV', bytes: 'PAR1' },
  { kind: '7z', what: 'a 7-Zip archive', advice: UNPACK, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'rar', what: 'a RAR archive', advice: UNPACK, bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { kind: 'xz', what: 'an xz archive', advice: UNPACK, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { kind: 'zstd', what: 'a zstd archive', advice: UNPACK, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { kind: 'pdf', what: 'a PDF document', bytes: '%PDF-' },
  { kind: 'elf', what: 'an ELF executable (a Linux program or library)', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { kind: 'mach-o', what: 'a Mach-O executable (a macOS program)', bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { kind: 'mach-o', what: 'a Mach-O executable (a macOS program)', bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { kind: 'mach-o', what: 'a Mach-O executable (a macOS program)', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { kind: 'mach-o', what: 'a Mach-O executable (a macOS program)', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { kind: 'mach-o', what: 'a Mach-O universal binary or a Java class file', bytes: [0xca, 0xfe, 0xba, 0xbe] },
];

const startsWith = (head: Buffer, bytes: number[] | string) => {
  const signature = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return head.length >= signature.length && head.subarray(0, signature.length).equals(signature);
};

/** What the first bytes of a file look like when they are plainly not text, or null. */
export function sniffBinary(head: Buffer): BinaryKind | null {
  for (const { bytes, ...kind } of SIGNATURES) {
    if (startsWith(head, bytes)) return kind;
  }
  // "BZh" may start a header too; a bzip2 stream follows it with a block size digit and the block magic.
  if (/^BZh[1-9]1AY&SY/.test(head.subarray(0, 10).toString('latin1')))
    return { kind: 'bzip2', what: 'a bzip2 archive', advice: UNPACK };
  // "MZ" may start a CSV's header ("MZ_code,..."); a DOS/PE header has NUL bytes right after it, a text file none.
  if (startsWith(head, 'MZ') && head.subarray(2, SNIFF_BYTES).includes(0x00)) {
    return { kind: 'pe', what: 'a Windows executable (an .exe or .dll)' };
  }
  return null;
}
