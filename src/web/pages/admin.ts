/**
 * Admin flow page: draws the Mermaid graph from the locally served `mermaid` bundle (loaded before
 * this script). `securityLevel: 'strict'` keeps labels as text (flow texts are admins' input, but a
 * pasted `<script>` must still not run).
 */
interface MermaidGlobal {
  initialize(config: Record<string, unknown>): void;
  run(options: { querySelector: string }): Promise<void>;
}

const mermaid = (window as unknown as { mermaid?: MermaidGlobal }).mermaid;
if (mermaid) {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { htmlLabels: false } });
  mermaid.run({ querySelector: 'pre.mermaid' }).then(
    () => {
      for (const svg of Array.from(document.querySelectorAll('pre.mermaid svg'))) {
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', svg.closest('pre')?.getAttribute('aria-label') ?? 'Graphe');
      }
    },
    (err: unknown) => {
      const box = document.querySelector('.graph');
      if (box) {
        const p = document.createElement('p');
        p.className = 'error';
        p.textContent = 'Le graphe n’a pas pu être dessiné : ' + (err instanceof Error ? err.message : String(err));
        box.prepend(p);
      }
    },
  );
}
