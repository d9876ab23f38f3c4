import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { AppModule } from '../app.module';

/** Nest's metadata keys (@nestjs/common constants): a module's imports and controllers, a route's path and method. */
const IMPORTS = 'imports';
const CONTROLLERS = 'controllers';
const PATH = 'path';
const METHOD = 'method';

type Class = new (...args: never[]) => unknown;

/** Every controller of the app: the modules' metadata, walked from the root module through its imports (dynamic modules too). */
function controllersOf(root: unknown): Class[] {
  const seen = new Set<unknown>();
  const found: Class[] = [];
  const visit = (module: unknown) => {
    if (!module || seen.has(module)) return;
    seen.add(module);
    const dynamic =
      typeof module === 'object' ? (module as { module: Class; imports?: unknown[]; controllers?: Class[] }) : null;
    const target = (dynamic ? dynamic.module : module) as object;
    found.push(
      ...((Reflect.getMetadata(CONTROLLERS, target) as Class[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    );
    for (const imported of [
      ...((Reflect.getMetadata(IMPORTS, target) as unknown[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ])
      visit(imported);
  };
  visit(root);
  return [...new Set(found)];
}

/**
 * The api's routes as `GET /v1/runs/{id}` (Nest's `:id` written as OpenAPI's `{id}`),
 * read from the Nest metadata of every controller of AppModule: what the router serves.
 */
export function appRoutes(root: unknown = AppModule): string[] {
  const routes: string[] = [];
  for (const controller of controllersOf(root)) {
    const prefixes = [(Reflect.getMetadata(PATH, controller) as string | string[] | undefined) ?? '/'].flat();
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      for (const prefix of prefixes) {
        for (const sub of [(Reflect.getMetadata(PATH, handler) as string | string[] | undefined) ?? '/'].flat()) {
          const joined = `/${prefix}/${sub}`
            .replace(/\/+/g, '/')
            .replace(/(.)\/$/, '$1')
            .replace(/:(\w+)/g, '{$1}');
          routes.push(`${RequestMethod[method]} ${joined}`);
        }
      }
    }
  }
  return [...new Set(routes)].sort();
}

// `node apps/api/dist/openapi/list-routes.js` prints them as JSON.
if (require.main === module) process.stdout.write(`${JSON.stringify(appRoutes())}\n`);
