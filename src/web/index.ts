/**
 * The web side of Ariane, served by the same restify server as the bot: the residents' widget (`/`,
 * `/widget.js`), Microsoft's Web Chat (`/webchat`), the mediators' pages (`/mediateur`) and the
 * admins' pages (`/admin`). `registerWebRoutes(server, deps)` is the only thing the server calls.
 */
import * as path from 'node:path';
import { ASSETS_DIR } from './buildAssets';
import { html, page } from './html';
import { CSP_WEBCHAT, sendHtml } from './sendHtml';
import { packageDir, sendAsset, TYPES } from './sendAsset';
import { registerMediatorRoutes } from './mediatorRoutes';
import { registerAdminRoutes } from './adminRoutes';
import type { WebDeps } from './WebDeps';
import { webSessions } from './webSessions';
import type { RouteServer } from './RouteServer';

/** The npm package's own ES5 bundle (the browsers of the last 5 years include old Safari). */
const WEBCHAT_BUNDLE = (): string => path.join(packageDir('botframework-webchat') ?? 'node_modules/botframework-webchat', 'dist', 'webchat-es5.js');

/** Mounts every web route on `server`. */
export function registerWebRoutes(server: RouteServer, deps: WebDeps = {}): void {
  const assets = deps.assetsDir ?? ASSETS_DIR;

  server.get('/', async (req, res) => {
    // `/?lang=ar` (en, fr-facile) lets partners link to the page in the resident's language.
    const asked = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang');
    const widgetLang = asked === 'en' || asked === 'ar' || asked === 'fr-facile' ? asked : 'fr';
    const lang = widgetLang === 'fr-facile' ? 'fr' : widgetLang;
    sendHtml(
      res,
      200,
      page({
        title: 'Ariane — aide aux démarches en ligne',
        lang,
        bodyClass: 'widget-page',
        body: html`<main id="main" class="widget-main"><noscript><p lang="fr">Ariane a besoin de JavaScript. Vous pouvez aussi vous rendre dans un lieu d’aide près de chez vous (France Services).</p></noscript></main><script src="/widget.js" data-mode="page" data-target="main" data-lang="${widgetLang}" async></script>`,
      }),
    );
  });
  server.get('/widget.js', async (req, res) => sendAsset(req, res, path.join(assets, 'widget.js'), TYPES.js!));
  server.get('/widget.css', async (req, res) => sendAsset(req, res, path.join(assets, 'widget.css'), TYPES.css!));
  server.get('/assets/:file', async (req, res) => {
    const file = req.params?.file ?? '';
    const m = /^([a-z][a-z0-9-]*)\.(js|css)$/.exec(file);
    if (!m) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Introuvable.');
      return;
    }
    sendAsset(req, res, path.join(assets, file), TYPES[m[2]!]!);
  });

  // Microsoft's official client against our Direct Line: proof that standard clients work unchanged.
  server.get('/webchat', async (_req, res) => {
    sendHtml(
      res,
      200,
      page({
        title: 'Ariane — Web Chat (client officiel Microsoft)',
        bodyClass: 'webchat-page',
        scripts: ['/webchat/webchat.js', '/assets/webchat.js'],
        body: html`<header class="bar"><h1>Ariane — Web Chat</h1><p>Le client officiel Microsoft Bot Framework, servi par ce serveur.</p></header><main id="main"><div id="webchat" class="webchat"></div></main>`,
      }),
      CSP_WEBCHAT,
    );
  });
  server.get('/webchat/webchat.js', async (req, res) => sendAsset(req, res, WEBCHAT_BUNDLE(), TYPES.js!, 86400));

  // One set of sessions for both spaces (each kind is only accepted by its own pages).
  const shared = webSessions(deps);
  registerMediatorRoutes(server, deps, shared);
  registerAdminRoutes(server, deps, shared);
}
