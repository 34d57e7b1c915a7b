/**
 * A tiny in-memory Direct Line 3.0 server with an echo bot, to test the widget's client logic
 * (de-duplication, reconnect, retries) in isolation. The end-to-end suites use the real server.
 */
import * as restify from 'restify';
import type { AddressInfo } from 'node:net';
import { registerWebRoutes } from '../../../src/web';
import { type WebDeps } from '../../../src/web/WebDeps';

interface Conv {
  id: string;
  activities: Array<Record<string, unknown>>;
  byClientId: Map<string, string>;
}

export interface FakeServer {
  url: string;
  server: restify.Server;
  conversations: Map<string, Conv>;
  /** When true, every Direct Line request fails with a network reset (simulated outage). */
  offline: boolean;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with a random port, with the web routes mounted. */
export async function startFakeServer(deps: WebDeps = {}): Promise<FakeServer> {
  const server = restify.createServer({ handleUncaughtExceptions: false } as restify.ServerOptions);
  server.use(restify.plugins.queryParser());
  server.use(restify.plugins.bodyParser());
  const conversations = new Map<string, Conv>();
  let n = 0;
  const fake: FakeServer = { url: '', server, conversations, offline: false, close: () => new Promise((r) => server.close(() => r())) };
  const guard = (req: restify.Request, res: restify.Response): boolean => {
    if (fake.offline) {
      req.socket.destroy();
      return false;
    }
    void res;
    return true;
  };
  const botSay = (c: Conv, a: Record<string, unknown>) => {
    c.activities.push({ ...a, id: `${c.id}|${String(c.activities.length + 1).padStart(7, '0')}`, type: 'message', from: { id: 'bot', role: 'bot' } });
  };
  server.post('/v3/directline/tokens/generate', async (req, res) => {
    if (!guard(req, res)) return;
    const id = 'c' + ++n;
    conversations.set(id, { id, activities: [], byClientId: new Map() });
    res.send(200, { conversationId: id, token: 'tok-' + id, expires_in: 1800 });
  });
  server.post('/v3/directline/conversations', async (req, res) => {
    if (!guard(req, res)) return;
    const id = String(req.headers.authorization ?? '').replace('Bearer tok-', '');
    const c = conversations.get(id);
    if (!c) { res.send(403, {}); return; }
    botSay(c, { text: 'Bonjour ! Que voulez-vous faire ?', suggestedActions: { actions: [{ type: 'imBack', title: 'Lieux', value: 'lieux' }, { type: 'messageBack', title: 'Oui', text: 'Oui', displayText: 'Oui', value: { choice: 'oui' } }] } });
    res.send(201, { conversationId: id, token: 'tok-' + id, expires_in: 1800 });
  });
  server.get('/v3/directline/conversations/:id', async (req, res) => {
    if (!guard(req, res)) return;
    const c = conversations.get(req.params.id);
    if (!c) { res.send(404, {}); return; }
    res.send(200, { conversationId: c.id, token: 'tok-' + c.id, expires_in: 1800 });
  });
  server.post('/v3/directline/tokens/refresh', async (req, res) => {
    if (!guard(req, res)) return;
    res.send(200, { token: String(req.headers.authorization ?? '').replace('Bearer ', ''), expires_in: 1800 });
  });
  server.get('/v3/directline/conversations/:id/activities', async (req, res) => {
    if (!guard(req, res)) return;
    const c = conversations.get(req.params.id);
    if (!c) { res.send(404, {}); return; }
    const after = Number((req.query as Record<string, string>).watermark ?? 0) || 0;
    res.send(200, { activities: c.activities.slice(after), watermark: String(c.activities.length) });
  });
  server.post('/v3/directline/conversations/:id/activities', async (req, res) => {
    if (!guard(req, res)) return;
    const c = conversations.get(req.params.id);
    if (!c) { res.send(404, {}); return; }
    const body = req.body as Record<string, unknown>;
    if (body.text === 'refuse-moi') {
      res.send(400, { error: { code: 'BadArgument', message: 'refused' } });
      return;
    }
    const cid = (body.channelData as Record<string, string> | undefined)?.clientActivityID;
    if (cid && c.byClientId.has(cid)) { res.send(200, { id: c.byClientId.get(cid) }); return; }
    const id = `${c.id}|${String(c.activities.length + 1).padStart(7, '0')}`;
    c.activities.push({ ...body, id, from: { id: 'u', role: 'user' } });
    if (cid) c.byClientId.set(cid, id);
    if (body.type === 'message') {
      const text = String(body.text ?? '');
      if (text === 'xss') {
        botSay(c, { text: '<img src=x onerror="window.__pwned=1"> [clic](javascript:window.__pwned=2) **gras**\n- un\n- deux\n\nVoir https://exemple.fr/a.', replyToId: id });
      } else if (text === 'lieux') {
        botSay(c, {
          text: 'Voici des lieux :',
          attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: { title: 'France Services <b>Test</b>', subtitle: '1,2 km — Ouvert', text: '12 rue X', buttons: [{ type: 'call', title: 'Appeler', value: 'tel:+33100000000' }, { type: 'openUrl', title: 'Carte', value: 'https://www.openstreetmap.org/' }, { type: 'openUrl', title: 'evil', value: 'javascript:alert(1)' }] } }],
        });
      } else {
        botSay(c, { text: `Vous avez dit : ${text}`, replyToId: id });
      }
    }
    res.send(200, { id });
  });
  registerWebRoutes(server, deps);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
