import { parseArgs } from 'node:util';

/**
 * The command line of a benchmark whose options are all whole numbers: `--help`
 * prints the usage and exits; a value that is not a whole number of at least its
 * minimum stops with the usage.
 */
export function parseNumberOptions<K extends string>(
  usage: string,
  spec: Record<K, { default: number; min: number }>,
): Record<K, number> {
  const names = Object.keys(spec) as K[];
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        names.map((name) => [name, { type: 'string' as const, default: String(spec[name].default) }]),
      ),
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const parsed = {} as Record<K, number>;
  for (const name of names) {
    // parseArgs types its answer from literal option names; these are only known at run time.
    const text = String((values as Record<string, unknown>)[name]);
    const n = Number(text);
    if (!Number.isInteger(n) || n < spec[name].min)
      throw new Error(`--${name} must be a whole number of at least ${spec[name].min}; got "${text}"\n\n${usage}`);
    parsed[name] = n;
  }
  return parsed;
}
