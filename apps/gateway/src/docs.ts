/**
 * Interactive API docs served from local packages (no CDN): Swagger UI at /docs, ReDoc at /redoc,
 * both reading /openapi.json. Scripts are files, not inline, so the default CSP holds.
 */
import path from 'node:path';
import express, { type Router } from 'express';

const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>${head}</head><body>${body}</body></html>`;

export function docsRouter(): Router {
  const router = express.Router();
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false, maxAge: '1h' }));
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(
      "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis] });\n",
    );
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(
      page(
        'Sentiment API — Swagger UI',
        '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
        '<div id="swagger-ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script>',
      ),
    );
  });
  router.get('/redoc/redoc.standalone.js', (_req, res) => res.sendFile(redocBundle));
  router.get('/redoc', (_req, res) => {
    res.type('html').send(page('Sentiment API — ReDoc', '', '<redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script>'));
  });
  return router;
}
