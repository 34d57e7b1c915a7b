/**
 * `/webchat`: Microsoft's Web Chat (loaded before this script from `/webchat/webchat.js`, the npm
 * package's own `dist` bundle) talking to our self-hosted Direct Line over its WebSocket stream
 * (replies and typing indicators as they come; directlinejs falls back to nothing else, so the
 * stream must work). The upload button is hidden: the service refuses files and photos (see the
 * README's Endpoints), and a resident should not be invited to photograph their documents.
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
  wc.renderWebChat({ directLine: wc.createDirectLine({ domain, token, webSocket: true }), locale: lang === 'fr' ? 'fr-FR' : lang, styleOptions: { hideUploadButton: true } }, el);
}

void start();
