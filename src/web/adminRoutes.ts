/**
 * `/admin`: for the people who write flows. Each flow's check status (file and line of every
 * problem), its graph, its scenario results, its sources and review date, and anonymous per-node
 * counters showing where people stop or ask for help.
 *
 * Access: `ARIANE_ADMIN_TOKEN`, as `Authorization: Bearer …` (scripts, compared in constant time) or
 * typed once in a form that opens a server-side session (`Sessions`: random id in an HttpOnly,
 * SameSite=Strict cookie, `Secure` over HTTPS, ended at logout, after an idle time and a maximum
 * lifetime). A session records a fingerprint of the token it was opened with, so changing the
 * token ends every admin session. Without a configured token the pages are closed (503).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runScenario, resolveText, type Catalog, type ScenarioResult } from '../engine';
import { loadFlowDirectory, loadScenarioFile, sourceUrl, type Diagnostic, type Flow, type FlowSet } from '../flow';
import { safeEqual } from '../http';
import { toMermaid } from '../render';
import { html, page, raw, type Raw } from './html';
import type { RouteServer } from './RouteServer';
import { CSP, CSP_INLINE_STYLES, sendHtml } from './sendHtml';
import { packageDir, sendAsset, TYPES } from './sendAsset';
import type { NodeCounters } from '../stats';
import type { Sessions } from '../access';
import { clearedCookie, postedFromOurPages, readCookies, readForm, sessionCookie } from './cookies';
import type { WebDeps } from './WebDeps';
import { webSessions, type WebSessions } from './webSessions';

/** The admin session cookie (only sent to `/admin`). */
export const ADMIN_COOKIE = 'ariane_admin';

/**
 * What the admin token was when a session was opened: a keyed hash, so the store never holds the
 * token, and a changed token no longer matches (its sessions end).
 */
function tokenFingerprint(token: string): string {
  return crypto.createHmac('sha256', token).update('ariane-admin-session-v2').digest('base64url').slice(0, 22);
}

/** True when the request carries the admin token (header) or the cookie of a live admin session. */
export async function isAdmin(req: IncomingMessage, token: string | undefined, sessions: Sessions): Promise<boolean> {
  if (!token) return false;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return safeEqual(auth.slice(7).trim(), token);
  const session = await sessions.read(readCookies(req)[ADMIN_COOKIE], 'admin');
  return session !== undefined && safeEqual(session.generation, tokenFingerprint(token));
}

function header(): Raw {
  return html`<header class="bar"><p class="brand"><a href="/admin">Ariane — administration</a></p><nav aria-label="Administration"><ul><li><a href="/admin">Parcours</a></li><li><a href="/mediateur">Espace médiateur</a></li><li><form method="post" action="/admin/logout"><button type="submit">Se déconnecter</button></form></li></ul></nav></header>`;
}

function loginPage(message?: string): string {
  return page({
    title: 'Administration — connexion — Ariane',
    body: html`<header class="bar"><p class="brand">Ariane — administration</p></header><main id="main"><h1>Administration</h1>${message ? html`<p class="error" role="alert">${message}</p>` : ''}<p>Cette page est réservée aux administrateurs. Entrez le jeton d’administration (variable <code>ARIANE_ADMIN_TOKEN</code> du serveur).</p><form class="stack-form" method="post" action="/admin/login"><p><label for="token">Jeton d’administration</label><input id="token" name="token" type="password" autocomplete="current-password" required></p><p><button type="submit">Se connecter</button></p></form></main>`,
  });
}

/** Flows, checks and scenarios, as the admin pages show them. */
interface AdminView {
  set?: FlowSet;
  rejected?: { set: FlowSet; at: number };
  catalog?: Catalog;
}

function view(deps: WebDeps): AdminView {
  if (deps.watcher) {
    const rejected = deps.watcher.lastRejected();
    return { set: deps.watcher.current().set, rejected, catalog: deps.catalog?.() };
  }
  let set: FlowSet | undefined;
  if (deps.flowsDir) set = loadFlowDirectory(deps.flowsDir);
  return { set, catalog: deps.catalog?.() };
}

function flowsOf(v: AdminView): Flow[] {
  if (v.catalog) return [...v.catalog.flows.values()];
  return v.set?.flows ?? [];
}

function diagnosticsFor(v: AdminView, flowId: string): Diagnostic[] {
  const file = v.set?.fileById.get(flowId);
  const all = v.rejected?.set.diagnostics ?? v.set?.diagnostics ?? [];
  return file ? all.filter((d) => d.file === file) : [];
}

function scenarios(v: AdminView, flowId: string, dir: string | undefined): { results: ScenarioResult[]; problems: Diagnostic[]; file?: string } {
  const catalog = v.catalog;
  const flowFile = v.set?.fileById.get(flowId);
  const base = flowFile ? path.dirname(flowFile) : dir;
  if (!base || !catalog) return { results: [], problems: [] };
  const file = path.join(base, `${flowId}.test.yaml`);
  if (!fs.existsSync(file)) return { results: [], problems: [] };
  const loaded = loadScenarioFile(file, catalog.flows);
  const results = (loaded.scenarios?.scenarios ?? []).map((s) => {
    try {
      return runScenario(catalog, flowId, s as Parameters<typeof runScenario>[2]);
    } catch (err) {
      return { name: s.name, ok: false, failure: err instanceof Error ? err.message : String(err), visited: [], lastOutputs: [] } as ScenarioResult;
    }
  });
  return { results, problems: loaded.diagnostics, file };
}

function today(deps: WebDeps): string {
  return deps.today?.() ?? new Date().toISOString().slice(0, 10);
}

/** A review date more than 12 months old (the flow checker's rule). */
export function isStale(reviewed: string, todayIso: string): boolean {
  const [y, m, d] = todayIso.split('-').map(Number) as [number, number, number];
  const limit = `${String(y - 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return reviewed < limit;
}

function diagList(list: Diagnostic[], rel: (f: string) => string): Raw {
  return html`<ul class="diags">${list.map(
    (d) => html`<li class="diag"><span class="${d.severity === 'error' ? 'ko' : 'warn'}">${d.severity === 'error' ? 'Erreur' : 'Attention'}</span> ${rel(d.file)}, ligne ${d.line}, colonne ${d.col} : ${d.message}${d.hint ? html` — <em>${d.hint}</em>` : ''}</li>`,
  )}</ul>`;
}

/** Mounts `/admin`, `/admin/login`, `/admin/logout`, `/admin/parcours/:id` and the Mermaid bundle. */
export function registerAdminRoutes(server: RouteServer, deps: WebDeps, shared: WebSessions = webSessions(deps)): void {
  const token = deps.adminToken;
  const { sessions } = shared;
  const rel = (f: string) => (deps.flowsDir ? path.relative(path.dirname(deps.flowsDir), f) : path.basename(f));

  /** Answers 401/503 and returns false when the request is not an admin's. */
  const guard = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (!token) {
      sendHtml(res, 503, page({ title: 'Administration fermée — Ariane', body: html`<main id="main"><h1>Administration fermée</h1><p>Définissez la variable <code>ARIANE_ADMIN_TOKEN</code> (au moins 16 caractères) puis redémarrez le service.</p></main>` }));
      return false;
    }
    if (await isAdmin(req, token, sessions)) return true;
    sendHtml(res, 401, loginPage(req.headers.authorization ? 'Jeton refusé.' : undefined), CSP, { 'WWW-Authenticate': 'Bearer realm="ariane-admin"' });
    return false;
  };

  const logins = shared.limiters('admin-signins-per-ip', deps.loginsPerMinute ?? 10, 60_000);
  server.post('/admin/login', async (req, res) => {
    if (!token) return void (await guard(req, res));
    if (!postedFromOurPages(req)) return void sendHtml(res, 403, loginPage('Formulaire refusé : envoyez-le depuis cette page.'));
    const limit = await logins.hit(shared.clients.key(req), Date.now());
    if (!limit.allowed) {
      sendHtml(res, 429, loginPage(`Trop d’essais. Réessayez dans ${limit.retryAfterSeconds} secondes.`), CSP, { 'Retry-After': String(limit.retryAfterSeconds) });
      return;
    }
    const form = await readForm(req);
    const typed = form?.get('token') ?? '';
    if (!safeEqual(typed, token)) {
      deps.logger?.warn({ event: 'admin.signin_failed' }, 'admin sign-in refused');
      sendHtml(res, 401, loginPage('Jeton refusé.'), CSP, { 'WWW-Authenticate': 'Bearer realm="ariane-admin"' });
      return;
    }
    const id = await sessions.create('admin', 'admin', tokenFingerprint(token));
    deps.logger?.info({ event: 'admin.signin' }, 'admin signed in');
    res.writeHead(303, { Location: '/admin', 'Set-Cookie': sessionCookie(req, ADMIN_COOKIE, id, '/admin'), 'Cache-Control': 'no-store' });
    res.end();
  });

  server.post('/admin/logout', async (req, res) => {
    if (!postedFromOurPages(req)) return void sendHtml(res, 403, loginPage('Formulaire refusé : envoyez-le depuis cette page.'));
    await sessions.revoke(readCookies(req)[ADMIN_COOKIE]);
    res.writeHead(303, { Location: '/admin', 'Set-Cookie': clearedCookie(req, ADMIN_COOKIE, '/admin'), 'Cache-Control': 'no-store' });
    res.end();
  });

  server.get('/admin', async (req, res) => {
    if (!(await guard(req, res))) return;
    const v = view(deps);
    const flows = flowsOf(v).sort((a, b) => a.id.localeCompare(b.id));
    const day = today(deps);
    const orphan = (v.rejected?.set ?? v.set)?.diagnostics.filter((d) => ![...(v.set?.fileById.values() ?? [])].includes(d.file)) ?? [];
    const rows = flows.map((f) => {
      const diags = diagnosticsFor(v, f.id);
      const errors = diags.filter((d) => d.severity === 'error').length;
      const warnings = diags.length - errors;
      const sc = scenarios(v, f.id, deps.flowsDir);
      const failed = sc.results.filter((r) => !r.ok).length;
      return html`<tr><th scope="row"><a href="/admin/parcours/${f.id}">${resolveText(f.title, 'fr')}</a><br><code>${f.id}</code></th><td>${
        errors ? html`<span class="ko">${errors} erreur${errors > 1 ? 's' : ''}</span>` : html`<span class="ok">valide</span>`
      }${warnings ? html`<br><span class="warn">${warnings} avertissement${warnings > 1 ? 's' : ''}</span>` : ''}</td><td>${
        sc.results.length === 0 ? html`<span class="warn">aucun scénario</span>` : failed ? html`<span class="ko">${failed} sur ${sc.results.length} en échec</span>` : html`<span class="ok">${sc.results.length} réussi${sc.results.length > 1 ? 's' : ''}</span>`
      }</td><td>${isStale(f.reviewed, day) ? html`<span class="stale">${f.reviewed}</span>` : f.reviewed}</td></tr>`;
    });
    const rejected = v.rejected
      ? html`<section class="rejected" aria-labelledby="h-rejected"><h2 id="h-rejected"><span class="ko">Dernière modification refusée</span></h2><p role="alert">Un fichier modifié contient des erreurs : la version précédente des parcours reste en service. Corrigez puis enregistrez à nouveau.</p>${diagList(v.rejected.set.diagnostics.filter((d) => d.severity === 'error'), rel)}</section>`
      : '';
    const official = deps.officialSources?.();
    const body = html`${header()}<main id="main"><h1>Parcours</h1>${official ? html`<p class="sources">Pages officielles (service-public.gouv.fr) : ${official.label}. Les fiches citées par les parcours sont vérifiées avec ce catalogue.</p>` : ''}${rejected}${
      orphan.length && !v.rejected ? html`<section aria-labelledby="h-orphan"><h2 id="h-orphan">Fichiers non chargés</h2>${diagList(orphan, rel)}</section>` : ''
    }<table><caption>État de chaque parcours (vérification, scénarios de test, date de vérification du contenu)</caption><thead><tr><th scope="col">Parcours</th><th scope="col">Vérification</th><th scope="col">Scénarios</th><th scope="col">Vérifié le</th></tr></thead><tbody>${rows}</tbody></table>${
      flows.length === 0 ? html`<p>Aucun parcours chargé.</p>` : ''
    }</main>`;
    sendHtml(res, 200, page({ title: 'Administration — Ariane', body }));
  });

  server.get('/admin/parcours/:id', async (req, res) => {
    if (!(await guard(req, res))) return;
    const id = req.params?.id ?? '';
    const v = view(deps);
    const flow = flowsOf(v).find((f) => f.id === id);
    if (!flow) {
      sendHtml(res, 404, page({ title: 'Parcours introuvable — Ariane', body: html`${header()}<main id="main"><h1>Parcours introuvable</h1><p><a href="/admin">Retour à la liste</a></p></main>` }));
      return;
    }
    const diags = diagnosticsFor(v, id);
    const sc = scenarios(v, id, deps.flowsDir);
    const stats: Map<string, NodeCounters> = deps.stats ? await deps.stats.forFlow(id) : new Map();
    const day = today(deps);
    const nodes = Object.entries(flow.nodes);
    const stopped = (c: NodeCounters | undefined) => (c ? Math.max(0, c.reached - c.left) : 0);
    const maxStopped = Math.max(0, ...nodes.filter(([, n]) => n.kind !== 'end').map(([nid]) => stopped(stats.get(nid))));
    const body = html`${header()}<main id="main"><h1>${resolveText(flow.title, 'fr')} <code>${flow.id}</code></h1>
<p>Organisme : ${flow.organisation} · Langues : ${flow.languages.join(', ')} · Fichier : <code>${rel(v.set?.fileById.get(id) ?? `${id}.yaml`)}</code> · <a href="/mediateur/parcours/${flow.id}">Liste à cocher</a></p>
<section aria-labelledby="h-check"><h2 id="h-check">Vérification</h2>${diags.length ? diagList(diags, rel) : html`<p class="ok">Aucun problème trouvé.</p>`}</section>
<section aria-labelledby="h-tests"><h2 id="h-tests">Scénarios de test</h2>${
      sc.problems.length ? diagList(sc.problems, rel) : ''
    }${
      sc.results.length
        ? html`<ul>${sc.results.map((r) => html`<li>${r.ok ? html`<span class="ok">réussi</span>` : html`<span class="ko">échec</span>`} ${r.name}${r.ok ? '' : html`<br><span class="diag">${r.failure ?? ''}</span>`}</li>`)}</ul>`
        : html`<p class="warn">Aucun scénario : ajoutez <code>${flow.id}.test.yaml</code>.</p>`
    }</section>
<section aria-labelledby="h-sources"><h2 id="h-sources">Sources et vérification</h2><p>Contenu vérifié le ${isStale(flow.reviewed, day) ? html`<span class="stale">${flow.reviewed}</span>` : html`<strong>${flow.reviewed}</strong>`}.</p><ul>${flow.sources.map(
      (s) => html`<li><a href="${sourceUrl(s)}" rel="noopener noreferrer">${s.title ?? sourceUrl(s)}</a></li>`,
    )}</ul></section>
<section aria-labelledby="h-graph"><h2 id="h-graph">Graphe</h2><p>Chaque boîte est un nœud ; les flèches portent les réponses et les conditions.</p><div class="graph"><pre class="mermaid" aria-label="Graphe du parcours ${flow.id}">${toMermaid(flow, 'fr')}</pre></div></section>
<section aria-labelledby="h-stats"><h2 id="h-stats">Statistiques anonymes par nœud</h2><p>Des compteurs seulement : aucun texte, aucun identifiant. « Arrêtées ici » : conversations arrivées à ce nœud qui ne sont pas allées plus loin.</p>${
      deps.stats
        ? html`<table><caption>Conversations par nœud</caption><thead><tr><th scope="col">Nœud</th><th scope="col">Type</th><th scope="col">Arrivées</th><th scope="col">Arrêtées ici</th><th scope="col">Aide demandée ici</th></tr></thead><tbody>${nodes.map(([nid, n]) => {
            const c = stats.get(nid);
            const st = stopped(c);
            const hot = n.kind !== 'end' && st > 0 && st === maxStopped;
            return html`<tr${raw(hot ? ' class="hot"' : '')}><th scope="row"><code>${nid}</code>${hot ? html` <span class="warn">le plus d’arrêts</span>` : ''}</th><td>${n.kind}</td><td class="num">${c?.reached ?? 0}</td><td class="num">${n.kind === 'end' ? html`${st} (fin)` : st}</td><td class="num">${c?.help ?? 0}</td></tr>`;
          })}</tbody></table>`
        : html`<p>Statistiques non activées sur ce serveur.</p>`
    }</section></main>`;
    sendHtml(res, 200, page({ title: `${flow.id} — administration — Ariane`, body, scripts: ['/admin/vendor/mermaid.min.js', '/assets/admin.js'] }), CSP_INLINE_STYLES);
  });

  server.get('/admin/vendor/mermaid.min.js', async (req, res) => {
    // Public library code: no token needed (the page that uses it is protected).
    sendAsset(req, res, path.join(packageDir('mermaid') ?? 'node_modules/mermaid', 'dist', 'mermaid.min.js'), TYPES.js!, 86400);
  });
}
