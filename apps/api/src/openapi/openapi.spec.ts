import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApiDocument } from './openapi.document';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

/** That every route of the api is in the document is checked against the built app in test/openapi.e2e-spec.ts (Nest is an ES module, which these unit tests cannot load). */
describe('the OpenAPI document', () => {
  const document = openApiDocument() as {
    openapi: string;
    paths: Paths;
    components: { securitySchemes: Record<string, unknown> };
  };

  it('is OpenAPI 3.1 and valid by @seriousme/openapi-schema-validator (the OpenAPI schemas)', () => {
    expect(document.openapi).toBe('3.1.0');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      // The validator is an ES module: its own CLI runs it (exit 1 and the errors when invalid).
      const cli = path.join(
        path.dirname(require.resolve('@seriousme/openapi-schema-validator/package.json')),
        'bin',
        'validate-api-cli.js',
      );
      let output: string;
      try {
        output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
      } catch (error) {
        throw new Error(
          `the OpenAPI document is not valid: ${(error as { stdout?: string }).stdout ?? (error as Error).message}`,
          { cause: error },
        );
      }
      expect(JSON.parse(output)).toEqual({ valid: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validator refuses a broken document (so the check above can fail)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      const broken = structuredClone(document) as { paths: Paths };
      (broken.paths['/health'].get as unknown as Record<string, unknown>).responses = 'none';
      writeFileSync(file, JSON.stringify(broken));
      const cli = path.join(
        path.dirname(require.resolve('@seriousme/openapi-schema-validator/package.json')),
        'bin',
        'validate-api-cli.js',
      );
      expect(() => execFileSync(process.execPath, [cli, file], { encoding: 'utf8', stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents each path parameter of each route', () => {
    for (const [route, item] of Object.entries(document.paths)) {
      const names = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ route: `${method} ${route}`, params: params.sort() }).toEqual({
          route: `${method} ${route}`,
          params: names.sort(),
        });
      }
    }
  });

  it('asks for the bearer token on every /v1 route and on no other', () => {
    expect(document.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    for (const [route, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const expected = route.startsWith('/v1/') ? [{ bearerAuth: [] }] : undefined;
        expect({ route: `${method} ${route}`, security: op.security }).toEqual({
          route: `${method} ${route}`,
          security: expected,
        });
        if (expected) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('documents an error answer (the one error shape) and a success answer for every route', () => {
    for (const [route, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        expect({ route: `${method} ${route}`, success: statuses.some((s) => s.startsWith('2')) }).toEqual({
          route: `${method} ${route}`,
          success: true,
        });
        expect({ route: `${method} ${route}`, errors: statuses.filter((s) => /^[45]/.test(s)).length > 0 }).toEqual({
          route: `${method} ${route}`,
          errors: true,
        });
      }
    }
  });
});
