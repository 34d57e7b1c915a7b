/**
 * Mediator pages: live filtering of the procedures list as one types (the form still works without
 * JavaScript), print buttons, and the tick boxes of a checklist kept while the tab is open.
 */
// The engine's own folding, from its one file: the page's bundle must not carry the whole engine.
import { foldAccents as fold } from '../../engine/normalize';

function liveFilter(): void {
  const input = document.querySelector<HTMLInputElement>('input[data-filter]');
  const list = input ? document.getElementById(input.dataset.filter ?? '') : null;
  const count = document.getElementById('count');
  if (!input || !list) return;
  input.addEventListener('input', () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let n = 0;
    for (const li of Array.from(list.children) as HTMLElement[]) {
      const hay = li.dataset.search ?? '';
      const show = words.every((w) => hay.includes(w));
      li.hidden = !show;
      if (show) n++;
    }
    if (count) count.textContent = `${n} démarche${n > 1 ? 's' : ''}` + (input.value.trim() ? ` pour « ${input.value.trim()} »` : '');
  });
}

function printButtons(): void {
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-print]'))) b.addEventListener('click', () => window.print());
}

/** Tick boxes survive a reload of the tab (not beyond: a shared computer forgets them). */
function keepTicks(): void {
  const boxes = Array.from(document.querySelectorAll<HTMLInputElement>('.checklist input[type=checkbox]'));
  const key = 'ariane.ticks:' + location.pathname + location.search;
  let saved: boolean[] = [];
  try {
    saved = JSON.parse(sessionStorage.getItem(key) ?? '[]') as boolean[];
  } catch {
    saved = [];
  }
  boxes.forEach((b, i) => {
    if (saved[i]) b.checked = true;
    b.addEventListener('change', () => {
      try {
        sessionStorage.setItem(key, JSON.stringify(boxes.map((x) => x.checked)));
      } catch {
        /* not kept */
      }
    });
  });
}

/** On a handoff page, marks the step where the person stopped. */
function markResume(): void {
  const box = document.querySelector<HTMLElement>('[data-resume]');
  const id = box?.dataset.resume;
  if (!box || !id) return;
  const section = document.getElementById('n-' + id);
  if (!section) return;
  section.classList.add('resume');
  const note = document.createElement('p');
  note.className = 'resume-note';
  note.textContent = 'La personne s’est arrêtée ici.';
  section.insertBefore(note, section.children[1] ?? null);
}

liveFilter();
printButtons();
keepTicks();
markResume();
