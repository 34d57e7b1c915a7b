import { toMermaid } from '../../src/render';
import { escapeMermaid, mermaidId } from '../../src/render/toMermaid';
import { demoFlow } from './fixture';

/** True for the line declaring `id`: its Mermaid id directly followed by a shape's opening. */
function declares(line: string, id: string): boolean {
  return new RegExp(`^ {2}${mermaidId(id)}[[{(>]`).test(line);
}

/** The line declaring a node. */
function nodeLine(chart: string, id: string): string {
  const line = chart.split('\n').find((l) => declares(l, id));
  if (!line) throw new Error(`node ${id} not declared`);
  return line;
}

describe('toMermaid', () => {
  const chart = toMermaid(demoFlow());
  const lines = chart.split('\n');

  it('is a top-down flowchart starting at the flow start', () => {
    expect(lines[0]).toBe('flowchart TD');
    expect(lines[1]).toBe('  ariane_start(("Début")) --> n_question_depart');
  });

  it('declares every node once, with its id, its kind and one shape per kind', () => {
    const flow = demoFlow();
    for (const id of Object.keys(flow.nodes)) {
      expect(lines.filter((l) => declares(l, id))).toHaveLength(1);
    }
    expect(nodeLine(chart, 'question-depart')).toMatch(/^ {2}n_question_depart\{"question-depart · Question<br\/>.*"\}$/);
    expect(nodeLine(chart, 'age')).toMatch(/^ {2}n_age\[\/"age · Réponse à écrire<br\/>.*"\/\]$/);
    expect(nodeLine(chart, 'etape-lien')).toMatch(/^ {2}n_etape_lien\["etape-lien · Étape<br\/>.*"\]$/);
    expect(nodeLine(chart, 'documents')).toMatch(/^ {2}n_documents\[\["documents · Documents à réunir<br\/>.*"\]\]$/);
    expect(nodeLine(chart, 'aiguillage')).toBe('  n_aiguillage{{"aiguillage · Aiguillage"}}');
    expect(nodeLine(chart, 'end')).toMatch(/^ {2}n_end\(\["end · Fin<br\/>C'est fini\."\]\)$/);
    expect(nodeLine(chart, 'relais')).toMatch(/^ {2}n_relais>"relais · Relais vers une personne<br\/>.*"\]$/);
  });

  it('labels question edges with the choices and branch edges with their conditions', () => {
    expect(lines).toContain('  n_question_depart -->|"Oui #quot;vraiment#quot;"| n_age');
    expect(lines).toContain('  n_question_depart -->|"Non #124; jamais"| n_documents');
    expect(lines).toContain('  n_aiguillage -->|"age #lt; 18"| n_relais');
    expect(lines).toContain('  n_aiguillage -->|"choix = oui et age ≥ 60"| n_etape_lien');
    expect(lines).toContain(`  n_aiguillage -->|"choix est parmi non, autre ou ville n'a pas de réponse"| n_documents`);
    expect(lines).toContain('  n_aiguillage -->|"sinon"| n_etape_sans_aide');
  });

  it('draws done and cannot edges for steps, the default help when a step has no stuck', () => {
    expect(lines).toContain(`  n_etape_lien -->|"C'est fait"| n_end`);
    expect(lines).toContain(`  n_etape_lien -.->|"Je n'y arrive pas"| n_relais`);
    expect(lines).toContain(`  n_etape_sans_aide -.->|"Je n'y arrive pas"| ariane_help`);
    expect(lines.filter((l) => l.startsWith('  ariane_help>'))).toHaveLength(1);
  });

  it('escapes quotes, angle brackets, pipes, hashes and backticks so no label can break the chart', () => {
    expect(chart).not.toContain('<script');
    expect(nodeLine(chart, 'etape-lien')).toContain('#lt;script#gt;alert(1)#lt;/script#gt;');
    expect(nodeLine(chart, 'etape-sans-aide')).toContain('démarche #35;1.');
    for (const line of lines) {
      // Every label is quoted: an odd number of quotes would mean an unescaped one.
      expect((line.match(/"/g) ?? []).length % 2).toBe(0);
    }
    expect(escapeMermaid('a "b" <c> | `d` # e & f')).toBe('a #quot;b#quot; #lt;c#gt; #124; #96;d#96; #35; e #38; f');
  });

  it('keeps node ids that are Mermaid keywords usable', () => {
    expect(mermaidId('end')).toBe('n_end');
    expect(lines.some((l) => /^\s*end\b/.test(l))).toBe(false);
    expect(chart).toContain('classDef k_end');
    expect(chart).not.toMatch(/classDef end\b/);
  });

  it('shows the chosen language, French where a translation is missing', () => {
    const en = toMermaid(demoFlow(), 'en');
    expect(en.split('\n')[1]).toBe('  ariane_start(("Start")) --> n_question_depart');
    expect(en).toContain('  n_question_depart -->|"Yes #quot;really#quot;"| n_age');
    expect(en).toContain('  n_question_depart -->|"Pas de traduction"| n_end');
    expect(en).toContain(`  n_etape_lien -.->|"I can't do it"| n_relais`);
    expect(en).toContain('  n_aiguillage -->|"otherwise"| n_etape_sans_aide');
  });

  it('still draws nodes the start cannot reach, and is deterministic', () => {
    expect(nodeLine(chart, 'oublie')).toContain('Personne ne vient ici.');
    expect(toMermaid(demoFlow())).toBe(chart);
  });
});
