/**
 * `/webchat`: Microsoft's Web Chat (loaded before this script from `/webchat/webchat.js`, the npm
 * package's own `dist` bundle) talking to our self-hosted Direct Line over polling.
 */
interface WebChatGlobal {
  createDirectLine(options: { domain: string; token: string; webSocket: boolean }): unknown;
  renderWebChat(props: Record<string, unknown>, element: HTMLElement): void;
}

async function start(): Promise<void> {
  const el = document.getElementById('webchat');
  const wc = (window as unknown as { WebChat?: WebChatGlobal }).WebChat;
  if (!el) return;
  if (!wc) {
    el.textContent = 'Web Chat n’a pas pu être chargé.';
    return;
  }
  const domain = `${location.origin}/v3/directline`;
  const res = await fetch(`${domain}/tokens/generate`, { method: 'POST' });
  if (!res.ok) {
    el.textContent = `Le service ne répond pas (${res.status}).`;
    return;
  }
  const { token } = (await res.json()) as { token: string };
  const lang = document.documentElement.lang || 'fr';
  wc.renderWebChat({ directLine: wc.createDirectLine({ domain, token, webSocket: false }), locale: lang === 'fr' ? 'fr-FR' : lang }, el);
}

void start();
