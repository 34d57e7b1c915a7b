/**
 * `/mediateur`: the pages for mediators (France Services, libraries, social workers). The procedures,
 * their printable checklists and the help places are public. A handoff summary opens only for a
 * signed-in mediator who types the resident's code (see `MediatorGate`): once signed in, typing the
 * code is the only step. Any signed-in mediator may open any summary, whatever their help place: a
 * resident may walk into another help point than the one they were shown; who opened which summary,
 * and when, is logged.
 */
import type { ServerResponse } from 'node:http';
import { foldAccents as fold, resolveText } from '../engine';
import type { Flow } from '../flow';
import { CODE_LENGTH, DEFAULT_HANDOFF_TTL_DAYS, normalizeHandoffCode, readHandoff, renderHandoff } from '../handoff';
import { findHelp, placesText, type NearResult, type PlaceDirectory } from '../places';
import { toChecklist } from '../render';
import { html, page, raw, type Raw } from './html';
import type { RouteServer } from './RouteServer';
import { CSP, sendHtml } from './sendHtml';
import type { WebDeps } from './WebDeps';
import { clearedCookie, postedFromOurPages, readForm, sessionCookie } from './cookies';
import { MEDIATOR_COOKIE, MediatorGate, type Mediator } from './mediatorAccess';
import { webSessions, type WebSessions } from './webSessions';

function query(req: { url?: string }): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function flowsOf(deps: WebDeps): Flow[] {
  const flows = deps.catalog?.().flows;
  return flows ? [...flows.values()].sort((a, b) => resolveText(a.title, 'fr').localeCompare(resolveText(b.title, 'fr'), 'fr')) : [];
}

function header(current: string, who?: Mediator): Raw {
  const links: Array<[string, string]> = [
    ['/mediateur', 'Démarches'],
    ['/mediateur#relais', 'Code de relais'],
    ['/mediateur/lieux', 'Lieux d’aide'],
  ];
  const account = who
    ? html`<li class="who">Connecté : <strong>${who.login}</strong>${who.place?.name ? html` (${who.place.name})` : ''}</li>${
        who.via === 'session' ? html`<li><form method="post" action="/mediateur/deconnexion"><button type="submit">Se déconnecter</button></form></li>` : ''
      }`
    : html`<li><a href="/mediateur/connexion"${raw(current === '/mediateur/connexion' ? ' aria-current="page"' : '')}>Se connecter</a></li>`;
  return html`<header class="bar"><p class="brand"><a href="/mediateur">Ariane — espace médiateur</a></p><nav aria-label="Espace médiateur"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${raw(href === current ? ' aria-current="page"' : '')}>${label}</a></li>`,
  )}${account}</ul></nav></header>`;
}

/**
 * The sign-in form. `code`: a handoff code typed before signing in, carried so that the summary opens
 * right after. `error`: announced (role=alert) and tied to the fields it is about.
 */
function signInForm(options: { code?: string; login?: string; error?: string } = {}): Raw {
  const invalid = options.error ? raw(' aria-invalid="true" aria-describedby="signin-error"') : raw('');
  return html`${options.error ? html`<p class="error" role="alert" id="signin-error">${options.error}</p>` : ''}<form class="stack-form" method="post" action="/mediateur/connexion"><p><label for="login">Identifiant</label><input id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${options.login ?? ''}"${invalid}></p><p><label for="password">Mot de passe</label><input id="password" name="password" type="password" autocomplete="current-password" required${invalid}></p><p><label for="signin-code">Code de relais (facultatif)</label><input id="signin-code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${options.code ?? ''}"></p><p><button type="submit">Se connecter</button></p></form><p>Pas encore de compte ? L’administrateur du service le crée avec la commande <code>ariane mediator add</code>.</p>`;
}

/**
 * The checklist renderer's standalone page, reduced to its body so it sits in our layout (its inline
 * `<style>` would be blocked by our CSP; pages.css styles the same classes). Its text is escaped by
 * the renderer.
 */
export function checklistFragment(flow: Flow, lang: string): { body: Raw; dir?: string } {
  const doc = toChecklist(flow, { lang, format: 'html' });
  const body = /<body>([\s\S]*)<\/body>/.exec(doc)?.[1] ?? '';
  const dir = /<html[^>]*\sdir="(rtl|ltr)"/.exec(doc)?.[1];
  return { body: raw(body), dir };
}

function codeForm(value = '', error?: boolean): Raw {
  return html`<form class="inline-form" method="get" action="/mediateur/relais"><label for="code">Code de relais donné par la personne</label><input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" required value="${value}"${raw(error ? ' aria-invalid="true" aria-describedby="code-error"' : '')}><button type="submit">Ouvrir la fiche</button></form>`;
}

function placesForm(flows: Flow[], where = '', flowId = '', openNow = false): Raw {
  return html`<form class="stack-form" method="get" action="/mediateur/lieux"><p><label for="ou">Code postal ou commune</label><input id="ou" name="ou" required value="${where}" autocomplete="postal-code"></p><p><label for="demarche">Démarche (pour trouver un lieu qui aide à la faire)</label><select id="demarche" name="demarche"><option value="">Toutes les démarches</option>${flows.map(
    (f) => html`<option value="${f.id}"${raw(f.id === flowId ? ' selected' : '')}>${resolveText(f.title, 'fr')}</option>`,
  )}</select></p><p><input type="checkbox" id="ouvert" name="ouvert" value="1"${raw(openNow ? ' checked' : '')}><label for="ouvert">Seulement les lieux ouverts maintenant</label></p><p><button type="submit">Chercher des lieux</button></p></form>`;
}

/** A place as the mediators see it: as on the residents' cards, the opening status and the phone first, the date of the information last. */
function placeCard(r: NearResult): Raw {
  const name = r.place.nom;
  return html`<li class="place"><h3>${name}</h3><p class="place-meta"><span class="status status-${r.status.state}">${r.statusText}</span>${r.phoneText ? html` · <a href="${r.phoneLink ?? ''}">Tél. ${r.phoneText}</a>` : ''}</p><p>${r.address} · <span>${r.distanceKm.toFixed(1).replace('.', ',')} km</span></p>${r.itinerant ? html`<p>${placesText('fr', 'result.itinerant')}</p>` : ''}<p class="place-date">${r.updatedText}</p><p class="place-actions">${r.phoneLink ? html`<a class="button" href="${r.phoneLink}">Appeler ${r.phoneText ?? ''}</a>` : ''}${r.appointmentUrl ? html`<a class="button" href="${r.appointmentUrl}" rel="noopener noreferrer">Prendre rendez-vous</a>` : ''}<a class="button" href="${r.mapUrl}" rel="noopener noreferrer">Voir sur la carte</a></p></li>`;
}

/** Mounts `/mediateur`, `/mediateur/parcours/:id`, `/mediateur/relais`, `/mediateur/connexion`, `/mediateur/deconnexion` and `/mediateur/lieux`. */
export function registerMediatorRoutes(server: RouteServer, deps: WebDeps, shared: WebSessions = webSessions(deps)): void {
  const codeLookups = shared.limiters('code-lookups-per-ip', deps.codeLookupsPerMinute ?? 20, 60_000);
  const gate = new MediatorGate(deps, shared);
  const directory = (): Promise<PlaceDirectory> | undefined => (deps.places ? Promise.resolve(deps.places()) : undefined);

  server.get('/mediateur', async (req, res) => {
    const who = await gate.who(req);
    const q = (query(req).get('q') ?? '').trim().slice(0, 100);
    const all = flowsOf(deps);
    const words = fold(q).split(/\s+/).filter(Boolean);
    const searchText = (f: Flow) =>
      fold([resolveText(f.title, 'fr'), f.summary ? resolveText(f.summary, 'fr') : '', f.organisation, f.id, ...(Array.isArray(f.keywords) ? f.keywords : Object.values(f.keywords).flat())].join(' '));
    const shown = all.filter((f) => words.every((w) => searchText(f).includes(w)));
    const body = html`${header('/mediateur', who)}<main id="main"><h1>Espace médiateur</h1>
<section aria-labelledby="h-relais" id="relais"><h2 id="h-relais">Reprendre avec un code de relais</h2><p>La personne a reçu un code à la fin de sa conversation. Il ouvre sa fiche : la démarche, ses réponses, l’étape où elle s’est arrêtée.</p>${
      who ? codeForm() : html`<p>Les fiches sont réservées aux médiateurs : connectez-vous avec votre compte, puis tapez le code.</p>${signInForm()}`
    }</section>
<section aria-labelledby="h-demarches"><h2 id="h-demarches">Démarches</h2><p>Chaque démarche est une liste à cocher, à imprimer ou à suivre avec la personne.</p>
<form class="inline-form" role="search" method="get" action="/mediateur"><label for="q">Rechercher une démarche</label><input id="q" name="q" type="search" value="${q}" data-filter="procedures"><button type="submit">Rechercher</button></form>
<p id="count" role="status">${shown.length} démarche${shown.length > 1 ? 's' : ''}${q ? html` pour « ${q} »` : ''}</p>
<ul class="procedures" id="procedures">${all.map(
      (f) =>
        html`<li data-search="${searchText(f)}"${raw(shown.includes(f) ? '' : ' hidden')}><a href="/mediateur/parcours/${f.id}">${resolveText(f.title, 'fr')}</a> <span class="org">(${f.organisation})</span>${f.summary ? html`<p>${resolveText(f.summary, 'fr')}</p>` : ''}</li>`,
    )}</ul>${all.length === 0 ? html`<p>Aucune démarche chargée.</p>` : ''}</section>
<section aria-labelledby="h-lieux"><h2 id="h-lieux">Trouver un lieu d’aide</h2>${placesForm(all)}</section></main>`;
    sendHtml(res, 200, page({ title: 'Espace médiateur — Ariane', body, scripts: ['/assets/mediateur.js'] }));
  });

  server.get('/mediateur/parcours/:id', async (req, res) => {
    const id = req.params?.id ?? '';
    const who = await gate.who(req);
    const flow = deps.catalog?.().flows.get(id);
    if (!flow) {
      sendHtml(res, 404, page({ title: 'Démarche introuvable — Ariane', body: html`${header('', who)}<main id="main"><h1>Démarche introuvable</h1><p>Aucune démarche « ${id} ». <a href="/mediateur">Voir la liste des démarches</a>.</p></main>` }));
      return;
    }
    const wanted = query(req).get('lang') ?? 'fr';
    const lang = flow.languages.includes(wanted) ? wanted : 'fr';
    const list = checklistFragment(flow, lang);
    const body = html`${header('', who)}<main id="main" class="checklist"${raw(list.dir ? ` dir="${list.dir}"` : '')} lang="${lang}"><p class="no-print tools"><button type="button" data-print>Imprimer la liste</button> ${flow.languages.length > 1 ? html`<span>Langue : ${flow.languages.map((l) => html`<a href="/mediateur/parcours/${flow.id}?lang=${l}"${raw(l === lang ? ' aria-current="true"' : '')}>${l}</a> `)}</span>` : ''}</p>${list.body}</main>`;
    sendHtml(res, 200, page({ title: `${resolveText(flow.title, lang)} — liste à cocher`, lang, body, scripts: ['/assets/mediateur.js'] }));
  });

  /** A page of the code look-up that opens no summary: the message, and the form to try again. */
  const relaisPage = (res: ServerResponse, who: Mediator | undefined, status: number, message: string, code: string, headers: Record<string, string> = {}) =>
    sendHtml(
      res,
      status,
      page({
        title: `${status >= 400 ? 'Erreur — ' : ''}Fiche de relais — Ariane`,
        body: html`${header('/mediateur#relais', who)}<main id="main"><h1>Fiche de relais</h1>${
          who
            ? html`<p class="error" role="alert" id="code-error">${message}</p>${codeForm(code, true)}`
            : status === 401
              ? html`<p>${message}</p>${signInForm({ code })}`
              : html`<p class="error" role="alert">${message}</p>`
        }</main>`,
      }),
      CSP,
      headers,
    );

  server.get('/mediateur/relais', async (req, res) => {
    const code = (query(req).get('code') ?? '').trim().slice(0, 40);
    // Every look-up counts per address, signed in or not (a cheap first brake).
    const limit = await codeLookups.hit(shared.clients.key(req), shared.now());
    if (!limit.allowed) return relaisPage(res, undefined, 429, `Trop d’essais. Réessayez dans ${limit.retryAfterSeconds} secondes.`, code, { 'Retry-After': String(limit.retryAfterSeconds) });
    if (!deps.store) return relaisPage(res, undefined, 503, 'Les fiches ne sont pas disponibles sur ce serveur.', code);
    const who = await gate.who(req);
    if (!who) return relaisPage(res, undefined, 401, 'Pour ouvrir une fiche, connectez-vous avec votre compte de médiateur.', code);
    if (!code) return relaisPage(res, who, 400, 'Entrez le code donné par la personne.', code);
    const canonical = normalizeHandoffCode(code);
    // A code that cannot be one opens nothing and guesses nothing: told at once, not counted.
    if (!canonical) return relaisPage(res, who, 400, `« ${code} » n’est pas un code de relais : il a ${CODE_LENGTH} caractères, lettres et chiffres, par exemple K7P-4QX-M2R.`, code);
    const refused = await gate.mayLookUp(who, canonical);
    if (refused) return relaisPage(res, who, 429, `Trop de codes inconnus ont été essayés. Réessayez dans ${Math.ceil(refused.retryAfterSeconds / 60)} minute${refused.retryAfterSeconds > 60 ? 's' : ''}.`, code, { 'Retry-After': String(refused.retryAfterSeconds) });
    const summary = await readHandoff(deps.store.kv, canonical, new Date(shared.now()));
    if (!summary) {
      await gate.failedLookUp(who, canonical);
      return relaisPage(res, who, 404, `Aucune fiche pour le code « ${code} ». Vérifiez le code : il expire après ${deps.retentionDays ?? DEFAULT_HANDOFF_TTL_DAYS} jours.`, code);
    }
    gate.opened(who, summary.code);
    const flow = summary.flow ? deps.catalog?.().flows.get(summary.flow.id) : undefined;
    const stopped = summary.stoppedAt?.nodeId;
    const list = flow ? checklistFragment(flow, 'fr') : undefined;
    const body = html`${header('/mediateur#relais', who)}<main id="main">${raw(renderHandoff(summary, 'fr', 'html'))}${
      flow && list
        ? html`<section class="continue" aria-labelledby="h-continue"><h2 id="h-continue">Continuer la démarche avec la personne</h2>${
            stopped ? html`<p><a class="button" href="#n-${stopped}">Aller à l’étape où la personne s’est arrêtée</a></p>` : ''
          }<p class="no-print"><button type="button" data-print>Imprimer</button></p><div class="checklist" data-resume="${stopped ?? ''}">${list.body}</div></section>`
        : ''
    }</main>`;
    sendHtml(res, 200, page({ title: `Fiche de relais ${summary.code} — Ariane`, body, scripts: ['/assets/mediateur.js'] }));
  });

  /** The sign-in page alone (also where a failed sign-in lands). */
  const signInPage = (res: ServerResponse, status: number, options: Parameters<typeof signInForm>[0] = {}, headers: Record<string, string> = {}) =>
    sendHtml(
      res,
      status,
      page({ title: `${options.error ? 'Erreur — ' : ''}Connexion — espace médiateur — Ariane`, body: html`${header('/mediateur/connexion')}<main id="main"><h1>Connexion à l’espace médiateur</h1><p>Connectez-vous pour ouvrir les fiches de relais des personnes que vous aidez.</p>${signInForm(options)}</main>` }),
      CSP,
      headers,
    );

  server.get('/mediateur/connexion', async (req, res) => {
    const who = await gate.who(req);
    if (who) {
      res.writeHead(303, { Location: '/mediateur#relais', 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    signInPage(res, 200, { code: (query(req).get('code') ?? '').trim().slice(0, 40) });
  });

  server.post('/mediateur/connexion', async (req, res) => {
    if (!postedFromOurPages(req)) return signInPage(res, 403, { error: 'Formulaire refusé : connectez-vous depuis cette page.' });
    const form = await readForm(req);
    if (!form) return signInPage(res, 413, { error: 'Formulaire trop long.' });
    const login = (form.get('login') ?? '').slice(0, 100);
    const password = (form.get('password') ?? '').slice(0, 200);
    const code = (form.get('code') ?? '').trim().slice(0, 40);
    if (!login.trim() || !password) return signInPage(res, 400, { login, code, error: 'Entrez votre identifiant et votre mot de passe.' });
    const result = await gate.signIn(req, login, password);
    if ('limited' in result) {
      const s = result.limited.retryAfterSeconds;
      return signInPage(res, 429, { login, code, error: `Trop d’essais. Réessayez dans ${s > 90 ? `${Math.ceil(s / 60)} minutes` : `${s} secondes`}.` }, { 'Retry-After': String(s) });
    }
    if ('refused' in result) return signInPage(res, 401, { login, code, error: result.refused });
    const next = code ? `/mediateur/relais?${new URLSearchParams({ code }).toString()}` : '/mediateur#relais';
    res.writeHead(303, { Location: next, 'Set-Cookie': sessionCookie(req, MEDIATOR_COOKIE, result.sessionId, '/mediateur'), 'Cache-Control': 'no-store' });
    res.end();
  });

  server.post('/mediateur/deconnexion', async (req, res) => {
    if (!postedFromOurPages(req)) return signInPage(res, 403, { error: 'Formulaire refusé : déconnectez-vous depuis cette page.' });
    await gate.signOut(req);
    res.writeHead(303, { Location: '/mediateur', 'Set-Cookie': clearedCookie(req, MEDIATOR_COOKIE, '/mediateur'), 'Cache-Control': 'no-store' });
    res.end();
  });

  server.get('/mediateur/lieux', async (req, res) => {
    const q = query(req);
    const who = await gate.who(req);
    const where = (q.get('ou') ?? '').trim().slice(0, 80);
    const flowId = q.get('demarche') ?? '';
    const openNow = q.get('ouvert') === '1';
    const flows = flowsOf(deps);
    let results: Raw = html``;
    let status = 200;
    if (where) {
      const dir = directory();
      const flow = flows.find((f) => f.id === flowId);
      const found = dir ? findHelp(await dir, where, { support: flow?.support, openNow, limit: 10, lang: 'fr' }) : undefined;
      if (!found) {
        status = 503;
        results = html`<p class="error" role="alert">Les lieux d’aide ne sont pas disponibles sur ce serveur.</p>`;
      } else if (found.kind === 'not-found') {
        status = 404;
        results = html`<p class="error" role="alert">Lieu inconnu : « ${where} ». Essayez un code postal à 5 chiffres.</p>`;
      } else if (found.kind === 'ambiguous') {
        const again = (q: string) => `/mediateur/lieux?${new URLSearchParams({ ou: q, demarche: flowId, ...(openNow ? { ouvert: '1' } : {}) }).toString()}`;
        results = html`<h2 id="h-results">Plusieurs communes s’appellent « ${where} »</h2><ul aria-labelledby="h-results">${found.choices.map((c) => html`<li><a href="${again(c.query)}">${c.label}</a></li>`)}</ul>`;
      } else {
        const n = found.results.length;
        results = n
          ? html`<h2 id="h-results">${n} lieu${n > 1 ? 'x' : ''} près de ${found.where.label}</h2><ul class="places" aria-labelledby="h-results">${found.results.map(placeCard)}</ul>`
          : html`<p role="status">Aucun lieu trouvé près de ${found.where.label}${openNow ? ' ouvert maintenant' : ''}.</p>`;
      }
    }
    const body = html`${header('/mediateur/lieux', who)}<main id="main"><h1>Trouver un lieu d’aide</h1>${placesForm(flows, where, flowId, openNow)}<div class="results">${results}</div></main>`;
    sendHtml(res, status, page({ title: 'Lieux d’aide — Ariane', body }));
  });
}
