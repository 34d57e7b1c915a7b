/**
 * The residents' chat widget: a bubble that opens a panel (or, on the standalone page, the panel
 * alone), rendered inside a Shadow DOM so that the partner's page styles and ours never meet.
 *
 * Design choices made for the residents (old phones, little French, shared computers):
 * - one question at a time: only the latest bot message's suggested actions are shown, as big buttons;
 * - every control has a visible or accessible label; new messages are announced by a `role="log"`;
 * - read-aloud and voice input only when the browser offers them (no download, no cloud service of ours);
 * - "Quitter et effacer" ends the conversation and leaves nothing of it in the browser.
 */
import { DirectLineClient, type Activity, type CardAction, type Status } from './directLine';
import { renderAction, renderCards, type CardStrings } from './cards';
import { readableOn } from './readableOn';
import { renderText } from './renderText';
import { DICTS, HTML_LANG, LANGS, LANG_NAMES, SPEECH_LANG, knownLang, type Dict, type WidgetLang } from './strings';

/** Options read from the script tag's `data-` attributes (see README and the /widget.js docs). */
export interface WidgetOptions {
  /** Where our server is (the script's own origin). */
  base: string;
  lang: WidgetLang;
  /** Overrides the header title. */
  title?: string;
  /** Background of the bubble, header and main buttons. */
  color?: string;
  /** Text on that background. */
  textColor?: string;
  open: boolean;
  /** `page`: the standalone page at `/` (no bubble); `bubble`: embedded on a partner's site. */
  mode: 'page' | 'bubble';
  position: 'right' | 'left';
}

const KEY = 'ariane.widget';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function sessionStore(): Storage | null {
  try {
    const s = window.sessionStorage;
    s.setItem(KEY + '.probe', '1');
    s.removeItem(KEY + '.probe');
    return s;
  } catch {
    return null;
  }
}

interface SpeechRecognitionLike {
  lang: string;
  interimResults: boolean;
  continuous: boolean;
  start(): void;
  stop(): void;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onend: (() => void) | null;
  onerror: (() => void) | null;
}

/** The widget; `mount` builds it into `host` (a fresh element) and wires everything. */
export class Widget {
  private readonly root: ShadowRoot;
  private readonly frame = el('div', 'ariane');
  private readonly storage = sessionStore();
  private lang: WidgetLang;
  private t: Dict;
  private dl: DirectLineClient | undefined;
  private readAloud = false;
  private opened = false;
  private recognizing: SpeechRecognitionLike | undefined;
  /** Local copies of sent messages, by clientActivityID, until their echo arrives. */
  private readonly local = new Map<string, HTMLElement>();
  /** The reply whose buttons are shown (later messages of the same reply keep them). */
  private actionsReplyTo: string | undefined;
  /** The person answered with a button: give the focus to the next question's buttons. */
  private focusAnswers = false;

  // Elements re-labelled when the language changes.
  private readonly bubble = el('button', 'bubble');
  private readonly panel = el('section', 'panel');
  private readonly heading: HTMLElement;
  private readonly langLabel = el('label', 'lang-label');
  private readonly langSelect = el('select', 'lang');
  private readonly readBtn = el('button', 'btn btn-tool read');
  private readonly quitBtn = el('button', 'btn btn-tool quit');
  private readonly closeBtn = el('button', 'btn btn-tool close');
  private readonly privacy = el('p', 'privacy');
  private readonly log = el('div', 'log');
  private readonly status = el('p', 'status');
  private readonly actions = el('div', 'actions');
  private readonly form = el('form', 'composer');
  private readonly inputLabel = el('label', 'sr-only');
  private readonly input = el('input', 'input');
  private readonly micBtn = el('button', 'btn btn-tool mic');
  private readonly sendBtn = el('button', 'btn btn-primary send');

  constructor(
    private readonly host: HTMLElement,
    private readonly opts: WidgetOptions,
  ) {
    this.root = host.attachShadow({ mode: 'open' });
    const saved = this.prefs();
    this.lang = saved.lang && LANGS.includes(saved.lang) ? saved.lang : opts.lang;
    this.t = DICTS[this.lang];
    this.readAloud = saved.readAloud === true;
    this.heading = el(opts.mode === 'page' ? 'h1' : 'h2', 'title');
  }

  /** Builds the DOM and, when the panel starts open, connects. */
  mount(): void {
    const css = el('link');
    css.rel = 'stylesheet';
    css.href = this.opts.base + '/widget.css';
    // Hidden until styled, so an unstyled flash never covers the host page.
    this.frame.hidden = true;
    const show = () => {
      this.frame.hidden = false;
    };
    css.addEventListener('load', show);
    css.addEventListener('error', show);
    setTimeout(show, 3000);
    this.root.append(css, this.frame);

    this.frame.classList.add('mode-' + this.opts.mode, 'pos-' + this.opts.position);
    if (this.opts.color) this.host.style.setProperty('--ariane-primary', this.opts.color);
    // Text on the partner's colour: theirs if given, else black or white, whichever contrasts more.
    const onColor = this.opts.textColor ?? (this.opts.color ? readableOn(this.opts.color) : undefined);
    if (onColor) this.host.style.setProperty('--ariane-on-primary', onColor);

    this.bubble.type = 'button';
    this.bubble.setAttribute('aria-expanded', 'false');
    this.bubble.setAttribute('aria-controls', 'ariane-panel');
    this.bubble.addEventListener('click', () => this.setOpen(true));

    this.panel.id = 'ariane-panel';
    this.panel.setAttribute('aria-labelledby', 'ariane-title');
    this.heading.id = 'ariane-title';

    const header = el('header', 'head');
    const tools = el('div', 'tools');
    this.langSelect.id = 'ariane-lang';
    this.langLabel.htmlFor = 'ariane-lang';
    for (const l of LANGS) {
      const o = el('option', undefined, LANG_NAMES[l]);
      o.value = l;
      o.lang = HTML_LANG[l];
      this.langSelect.append(o);
    }
    this.langSelect.addEventListener('change', () => this.setLang(this.langSelect.value as WidgetLang, true));
    const langBox = el('div', 'lang-box');
    langBox.append(this.langLabel, this.langSelect);

    this.readBtn.type = 'button';
    this.readBtn.addEventListener('click', () => {
      this.readAloud = !this.readAloud;
      if (!this.readAloud) this.cancelSpeech();
      this.savePrefs();
      this.relabel();
    });
    this.quitBtn.type = 'button';
    this.quitBtn.addEventListener('click', () => void this.quit());
    this.closeBtn.type = 'button';
    this.closeBtn.addEventListener('click', () => this.setOpen(false));

    tools.append(langBox);
    if (this.speechAvailable()) tools.append(this.readBtn);
    tools.append(this.quitBtn);
    const titleRow = el('div', 'title-row');
    titleRow.append(this.heading);
    if (this.opts.mode === 'bubble') titleRow.append(this.closeBtn);
    header.append(titleRow, tools);

    this.log.id = 'ariane-log';
    this.log.setAttribute('role', 'log');
    this.log.setAttribute('aria-live', 'polite');
    this.log.setAttribute('aria-relevant', 'additions');
    this.log.tabIndex = 0;
    this.status.setAttribute('role', 'status');
    this.actions.setAttribute('role', 'group');
    this.actions.hidden = true;

    this.input.id = 'ariane-input';
    this.input.type = 'text';
    this.input.autocomplete = 'off';
    this.input.maxLength = 500;
    this.input.setAttribute('enterkeyhint', 'send');
    this.inputLabel.htmlFor = 'ariane-input';
    this.micBtn.type = 'button';
    this.micBtn.addEventListener('click', () => this.toggleMic());
    this.sendBtn.type = 'submit';
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) {
        this.input.focus();
        return;
      }
      this.input.value = '';
      this.focusAnswers = false;
      this.sendText(text);
    });
    this.form.append(this.inputLabel, this.input);
    if (this.recognitionCtor()) this.form.append(this.micBtn);
    this.form.append(this.sendBtn);

    this.panel.append(header, this.log, this.status, this.actions, this.form, this.privacy);
    if (this.opts.mode === 'bubble') this.frame.append(this.bubble);
    this.frame.append(this.panel);
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.opts.mode === 'bubble') {
        e.stopPropagation();
        this.setOpen(false);
      }
    });

    this.relabel();
    const prefs = this.prefs();
    const open = this.opts.mode === 'page' || this.opts.open || prefs.open === true;
    this.setOpen(open, false);
  }

  private speechAvailable(): boolean {
    return typeof window.speechSynthesis !== 'undefined' && typeof window.SpeechSynthesisUtterance !== 'undefined';
  }

  private recognitionCtor(): (new () => SpeechRecognitionLike) | undefined {
    const w = window as unknown as { SpeechRecognition?: new () => SpeechRecognitionLike; webkitSpeechRecognition?: new () => SpeechRecognitionLike };
    return w.SpeechRecognition ?? w.webkitSpeechRecognition;
  }

  /** Opens or closes the panel; opening connects (a closed bubble never creates a conversation). */
  setOpen(open: boolean, moveFocus = true): void {
    this.opened = open;
    this.panel.hidden = !open;
    // The bubble gives way to the panel (which has its own close button) and comes back on close.
    this.bubble.hidden = open;
    this.bubble.setAttribute('aria-expanded', String(open));
    if (this.opts.mode === 'bubble') this.savePrefs();
    if (open) {
      this.connect();
      if (moveFocus) this.input.focus();
    } else {
      this.cancelSpeech();
      if (moveFocus) this.bubble.focus();
    }
  }

  private connect(): void {
    if (this.dl) return;
    this.dl = new DirectLineClient({
      domain: this.opts.base + '/v3/directline',
      locale: () => this.lang,
      storage: this.storage,
      storageKey: KEY + '.conversation',
      onActivity: (a) => this.onActivity(a),
      onStatus: (s) => this.onStatus(s),
      onRefused: (id) => {
        const msg = this.local.get(id);
        if (!msg) return;
        this.local.delete(id);
        msg.classList.remove('pending');
        msg.classList.add('refused');
        const note = msg.querySelector('.sending');
        if (note) note.textContent = this.t.refused;
      },
    });
    // Messages typed before a reload but not yet acknowledged: show them as "sending".
    for (const a of this.dl.pending()) this.showLocal(a);
    void this.dl.start();
  }

  private onStatus(s: Status): void {
    this.status.textContent = s === 'online' ? '' : s === 'ended' ? this.t.ended : s === 'offline' ? this.t.offline : s === 'connecting' ? this.t.connecting : this.t.offline;
    this.status.dataset.state = s;
  }

  private isBot(a: Activity): boolean {
    return a.from?.role === 'bot' || (a.from?.role === undefined && a.replyToId !== undefined);
  }

  private onActivity(a: Activity): void {
    if (a.type !== 'message') return;
    const clientId = typeof a.channelData?.clientActivityID === 'string' ? a.channelData.clientActivityID : undefined;
    if (!this.isBot(a)) {
      const mine = clientId ? this.local.get(clientId) : undefined;
      if (mine) {
        // The echo of a message already on screen: mark it sent instead of showing it twice.
        mine.classList.remove('pending');
        mine.querySelector('.sending')?.remove();
        if (a.id) mine.dataset.id = a.id;
        if (clientId) this.local.delete(clientId);
        return;
      }
      const text = userText(a);
      if (text) this.addMessage('user', text, a.id);
      return;
    }
    // The bot changed language (the person typed « english », « عربي »…): the interface follows.
    const botLang = knownLang(a.locale);
    if (botLang && botLang !== this.lang) this.setLang(botLang, false);
    const msg = this.addMessage('bot', typeof a.text === 'string' ? a.text : '', a.id);
    for (const att of a.attachments ?? []) {
      // Step illustrations: images the bot sends with their text alternative.
      if (att && typeof att.contentType === 'string' && att.contentType.startsWith('image/') && typeof att.contentUrl === 'string' && /^(https?:\/\/|\/)/.test(att.contentUrl)) {
        const img = el('img', 'picture');
        img.src = att.contentUrl;
        img.alt = typeof att.name === 'string' ? att.name : '';
        img.loading = 'lazy';
        msg.insertBefore(img, msg.querySelector('.listen'));
      }
    }
    const cards = renderCards(a.attachments, this.opts.mode === 'page' ? 'h2' : 'h3', this.cardStrings(), (action) => this.doAction(action));
    if (cards) msg.append(cards);
    const actions = a.suggestedActions?.actions;
    if (Array.isArray(actions) && actions.length > 0) {
      this.actionsReplyTo = a.replyToId;
      this.showActions(actions);
    } else if (!(a.replyToId && a.replyToId === this.actionsReplyTo)) {
      // A later message of the same reply keeps the buttons; a new reply without any removes them.
      this.showActions([]);
    }
    if (this.readAloud) this.speak(speechText(a));
  }

  private cardStrings(): CardStrings {
    return { newTab: this.t.newTab, listLabel: this.t.cards };
  }

  private addMessage(who: 'bot' | 'user', text: string, id?: string): HTMLElement {
    const div = el('div', 'msg msg-' + who);
    if (id) div.dataset.id = id;
    const name = el('p', 'who', who === 'bot' ? this.t.botName : this.t.youName);
    div.append(name);
    const body = el('div', 'body');
    if (who === 'bot') renderText(body, text, this.t.newTab);
    else body.textContent = text;
    div.append(body);
    if (who === 'bot' && text && this.speechAvailable()) {
      const listen = el('button', 'btn btn-link listen', this.t.listen);
      listen.type = 'button';
      listen.addEventListener('click', () => this.speak(text));
      div.append(listen);
    }
    this.log.append(div);
    this.scrollDown();
    return div;
  }

  private scrollDown(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private showLocal(a: Activity): void {
    const text = userText(a);
    const id = a.channelData?.clientActivityID;
    if (!text || typeof id !== 'string') return;
    const msg = this.addMessage('user', text);
    msg.classList.add('pending');
    msg.append(el('p', 'sending', this.t.sending));
    this.local.set(id, msg);
  }

  /** Shows the current question's answers; moves focus to them if the person answered with a button. */
  private showActions(actions: CardAction[]): void {
    const active = this.root.activeElement;
    if (active !== null && this.actions.contains(active)) this.focusAnswers = true;
    const hadFocus = this.focusAnswers && actions.length > 0;
    this.actions.replaceChildren();
    const strings = this.cardStrings();
    for (const action of actions) {
      const b = renderAction(action, strings, (x) => this.doAction(x));
      if (b) {
        b.classList.remove('btn-secondary');
        b.classList.add('btn-choice');
        this.actions.append(b);
      }
    }
    this.actions.hidden = this.actions.childElementCount === 0;
    if (hadFocus) {
      this.focusAnswers = false;
      (this.actions.firstElementChild as HTMLElement | null)?.focus();
    } else if (this.focusAnswers && actions.length === 0 && this.root.activeElement === null && document.activeElement === document.body) {
      // Answer buttons gone and none new (a free-text question): the text box is next.
      this.input.focus();
    }
  }

  private doAction(action: CardAction): void {
    const title = typeof action.title === 'string' ? action.title : undefined;
    if (action.type === 'imBack') {
      const text = typeof action.value === 'string' ? action.value : title;
      if (text) this.sendText(text);
      return;
    }
    // postBack / messageBack: the value goes to the bot, the button's words go on screen (in
    // channelData.displayText, which the channel keeps, and as `text` for bots that read only text).
    const display = action.displayText ?? title ?? (typeof action.value === 'string' ? action.value : '');
    if (action.type === 'messageBack') {
      this.send({ type: 'message', text: action.text ?? display, value: action.value, channelData: { displayText: display } });
    } else {
      this.send({ type: 'message', text: typeof action.value === 'string' ? action.value : display, value: typeof action.value === 'string' ? undefined : action.value, channelData: { displayText: display } });
    }
  }

  private sendText(text: string): void {
    this.send({ type: 'message', text });
  }

  private send(activity: Activity): void {
    this.connect();
    if (!this.dl) return;
    this.showActions([]);
    const full: Activity = { ...activity, locale: this.lang, textFormat: 'plain' };
    const id = this.dl.send(full);
    this.showLocal({ ...full, channelData: { ...(full.channelData ?? {}), clientActivityID: id } });
    this.cancelSpeech();
  }

  /** Changes the interface language; when asked by the person, tells the bot too. */
  setLang(lang: WidgetLang, tellBot: boolean): void {
    this.lang = lang;
    this.t = DICTS[lang];
    this.savePrefs();
    this.relabel();
    if (tellBot && this.dl) {
      // The bot's `language` intent (value), with the language's name as the visible words.
      this.send({ type: 'message', text: LANG_NAMES[lang], value: { intent: 'language', lang } });
    }
  }

  private relabel(): void {
    const t = this.t;
    this.frame.lang = HTML_LANG[this.lang];
    this.frame.dir = this.lang === 'ar' ? 'rtl' : 'ltr';
    this.heading.textContent = this.opts.title ?? t.title;
    this.bubble.replaceChildren(bubbleIcon(), el('span', 'bubble-text', t.open));
    this.langLabel.textContent = t.language;
    this.langSelect.value = this.lang;
    this.readBtn.textContent = t.readAloud;
    this.readBtn.setAttribute('aria-pressed', String(this.readAloud));
    this.quitBtn.textContent = t.quit;
    this.closeBtn.textContent = '×';
    this.closeBtn.setAttribute('aria-label', t.close);
    this.closeBtn.title = t.close;
    this.privacy.textContent = t.privacy;
    this.log.setAttribute('aria-label', t.transcript);
    this.actions.setAttribute('aria-label', t.choices);
    this.inputLabel.textContent = t.inputLabel;
    this.input.placeholder = t.placeholder;
    this.input.lang = HTML_LANG[this.lang];
    this.micBtn.setAttribute('aria-pressed', String(this.recognizing !== undefined));
    this.micBtn.replaceChildren(micIcon(), el('span', 'sr-only', this.recognizing ? t.micStop : t.micStart));
    this.micBtn.title = this.recognizing ? t.micStop : t.micStart;
    this.sendBtn.textContent = t.send;
    for (const b of Array.from(this.log.querySelectorAll('.listen'))) b.textContent = t.listen;
    for (const w of Array.from(this.log.querySelectorAll('.msg-bot > .who'))) w.textContent = t.botName;
    for (const w of Array.from(this.log.querySelectorAll('.msg-user > .who'))) w.textContent = t.youName;
  }

  private speak(text: string): void {
    if (!this.speechAvailable() || !text) return;
    const u = new SpeechSynthesisUtterance(text.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/https?:\/\/\S+/g, '').replace(/\*\*/g, ''));
    u.lang = SPEECH_LANG[this.lang];
    window.speechSynthesis.speak(u);
  }

  private cancelSpeech(): void {
    if (this.speechAvailable()) window.speechSynthesis.cancel();
  }

  private toggleMic(): void {
    if (this.recognizing) {
      this.recognizing.stop();
      return;
    }
    const Ctor = this.recognitionCtor();
    if (!Ctor) return;
    const r = new Ctor();
    r.lang = SPEECH_LANG[this.lang];
    r.interimResults = false;
    r.continuous = false;
    r.onresult = (e) => {
      const first = e.results[0]?.[0];
      if (first) this.input.value = first.transcript;
    };
    r.onend = r.onerror = () => {
      this.recognizing = undefined;
      this.status.textContent = '';
      this.relabel();
      this.input.focus();
    };
    this.recognizing = r;
    this.status.textContent = this.t.listening;
    this.relabel();
    try {
      r.start();
    } catch {
      this.recognizing = undefined;
      this.relabel();
    }
  }

  /** "Quitter et effacer": ends the conversation and removes every trace of it from this browser. */
  private async quit(): Promise<void> {
    this.cancelSpeech();
    const dl = this.dl;
    this.dl = undefined;
    this.local.clear();
    this.log.replaceChildren();
    this.showActions([]);
    this.input.value = '';
    try {
      this.storage?.removeItem(KEY + '.prefs');
    } catch {
      /* nothing stored */
    }
    if (dl) await dl.end();
    else this.storage?.removeItem(KEY + '.conversation');
    this.status.textContent = this.t.wiped;
    const restart = el('button', 'btn btn-choice', this.t.restart);
    restart.type = 'button';
    restart.addEventListener('click', () => {
      this.status.textContent = '';
      this.showActions([]);
      this.connect();
      this.input.focus();
    });
    this.actions.replaceChildren(restart);
    this.actions.hidden = false;
    restart.focus();
  }

  private prefs(): { lang?: WidgetLang; readAloud?: boolean; open?: boolean } {
    try {
      return JSON.parse(this.storage?.getItem(KEY + '.prefs') ?? '{}') as { lang?: WidgetLang; readAloud?: boolean; open?: boolean };
    } catch {
      return {};
    }
  }

  private savePrefs(): void {
    try {
      this.storage?.setItem(KEY + '.prefs', JSON.stringify({ lang: this.lang, readAloud: this.readAloud, open: this.opened }));
    } catch {
      /* preferences are a comfort, not a need */
    }
  }
}

/** What a resident's own message shows: the button's words for a click, else the typed text. */
function userText(a: Activity): string {
  const display = a.channelData?.displayText;
  if (typeof display === 'string' && display) return display;
  if (typeof a.text === 'string') return a.text;
  return typeof a.value === 'string' ? a.value : '';
}

function speechText(a: Activity): string {
  const parts = [typeof a.speak === 'string' ? a.speak : typeof a.text === 'string' ? a.text : ''];
  for (const att of a.attachments ?? []) {
    const c = att.content as { title?: unknown; subtitle?: unknown } | undefined;
    if (c && typeof c.title === 'string') parts.push(c.title + (typeof c.subtitle === 'string' ? '. ' + c.subtitle : ''));
  }
  const actions = a.suggestedActions?.actions ?? [];
  const titles = actions.map((x) => x.title).filter((x): x is string => typeof x === 'string');
  if (titles.length) parts.push(titles.join(', '));
  return parts.filter(Boolean).join('. ');
}

const SVG = 'http://www.w3.org/2000/svg';
function svgIcon(d: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
function bubbleIcon(): SVGSVGElement {
  return svgIcon('M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z');
}
function micIcon(): SVGSVGElement {
  return svgIcon('M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11h-2z');
}

