import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The /docs page: Swagger UI from the swagger-ui-dist package, served by the api
 * itself (no CDN), so it works on a server without internet. Only these files are served.
 */
export const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'text/javascript',
  'favicon-32x32.png': 'image/png',
  'init.js': 'text/javascript',
};

/** Swagger UI started on this api's document; validatorUrl null keeps it from sending the document to swagger.io's validator. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
});
`;

export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relayboard api</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/** Scripts and styles from this origin only; Swagger UI sets inline styles and shows data: images. */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

const cache = new Map<string, Buffer>();

/** The asset's bytes, or null for a name that is not one of DOCS_ASSETS. */
export function docsAsset(name: string): Buffer | null {
  if (!Object.hasOwn(DOCS_ASSETS, name)) return null;
  let bytes = cache.get(name);
  if (!bytes) {
    bytes =
      name === 'init.js'
        ? Buffer.from(INIT_SCRIPT)
        : readFileSync(path.join(path.dirname(require.resolve('swagger-ui-dist/package.json')), name));
    cache.set(name, bytes);
  }
  return bytes;
}
