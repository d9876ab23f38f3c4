/**
 * Recognises bytes that are plainly not text by their magic bytes, so that an
 * image, an archive, a PDF or a program given as a CSV is refused when it is
 * registered or uploaded, instead of being stored and failing later in staging.
 * Only signatures that no CSV can start with: a NUL byte or a non-ASCII lead
 * byte, or (for "MZ") a NUL byte soon after. Text that is not CSV (HTML, JSON)
 * is left to the worker's dialect detection (apps/worker/src/staging/dialect.ts).
 */
export interface BinaryKind {
  /** Short machine name, e.g. "png", for details. */
  kind: string;
  /** What the bytes look like, for a person: "a PNG image". */
  what: string;
}

/** How many leading bytes sniffBinary looks at (fewer is fine for short content). */
export const SNIFF_BYTES = 64;

const SIGNATURES: { kind: string; what: string; bytes: number[] | string }[] = [
  { kind: 'png', what: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { kind: 'jpeg', what: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'gif', what: 'a GIF image', bytes: 'GIF87a' },
  { kind: 'gif', what: 'a GIF image', bytes: 'GIF89a' },
  { kind: 'zip', what: 'a ZIP archive (an .xlsx, .docx or .jar is one too)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'zip', what: 'a ZIP archive (an .xlsx, .docx or .jar is one too)', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { kind: 'zip', what: 'a ZIP archive (an .xlsx, .docx or .jar is one too)', bytes: [0x50, 0x4b, 0x07, 0x08] },
  { kind: '7z', what: 'a 7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'rar', what: 'a RAR archive', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { kind: 'xz', what: 'an xz-compressed file', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
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
  for (const signature of SIGNATURES) {
    if (startsWith(head, signature.bytes)) return { kind: signature.kind, what: signature.what };
  }
  // "MZ" may start a CSV's header ("MZ_code,..."); a DOS/PE header has NUL bytes right after it, a text file none.
  if (startsWith(head, 'MZ') && head.subarray(2, SNIFF_BYTES).includes(0x00)) {
    return { kind: 'pe', what: 'a Windows executable (an .exe or .dll)' };
  }
  return null;
}
