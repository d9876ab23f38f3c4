import { z } from 'zod';

/**
 * A request body or query that refuses fields it does not know, with a message
 * naming them and the fields it accepts (a typo like `csvURL` is an error, not
 * a silently ignored field).
 */
export function strictRequest<T extends z.core.$ZodLooseShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}; the accepted fields are ${accepted}`
        : undefined,
  });
}
