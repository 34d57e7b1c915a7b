import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ID_PATTERN } from '../flow';

/**
 * The text of a new flow file: a small working flow (question → step → end, and a handoff) with a
 * comment on every field, so that an admin edits rather than starts from a blank page. It passes
 * `ariane check` as is (the test suite makes sure of it).
 */
export function flowSkeleton(id: string, today: string): string {
  const title = id.charAt(0).toUpperCase() + id.slice(1).replace(/-/g, ' ');
  return `# yaml-language-server: $schema=flow.schema.json
# Parcours Ariane « ${id} ». Guide complet : flows/README.md
# Vérifier : ariane check flows/${id}.yaml     Essayer : ariane chat ${id}
# Indentation : 2 espaces par niveau, jamais de tabulation.

# Identifiant : le nom du fichier sans .yaml (minuscules, chiffres, tirets).
id: ${id}
# Le nom de la démarche, avec les mots des gens.
title: ${title}
# Une phrase qui dit à quoi sert ce parcours (facultatif).
summary: À compléter.
# Les mots et expressions que les gens écrivent pour cette démarche.
keywords:
  - ${id.replace(/-/g, ' ')}
# L'organisme concerné : CAF, France Travail, ANTS, préfecture…
organisation: À compléter
# L'aide que doit offrir un lieu d'aide quand la personne est bloquée.
support:
  services:
    - Aide aux démarches administratives
  # programmes: [France Services]
# Les pages officielles qui justifient le contenu (https://…).
sources:
  - url: https://www.service-public.fr/
    title: Service-Public.fr
# Date de la dernière vérification du contenu, AAAA-MM-JJ. À mettre à jour à chaque relecture.
reviewed: "${today}"
# Les langues des textes : fr d'abord ; ajoutez en, ar, fr-facile… quand tout est traduit.
languages: [fr]
# Le premier nœud.
start: debut

# Les nœuds : chacun a un identifiant (ici debut, connexion…) et un type (kind).
nodes:
  debut:
    kind: question
    text: Avez-vous déjà un compte sur le site ?
    choices:
      - label: Oui
        synonyms: [j'ai un compte]
        next: connexion
      - label: Non
        next: aide

  connexion:
    kind: step
    text: Connectez-vous sur le site officiel.
    link:
      url: https://www.service-public.fr/
      label: Ouvrir le site
    # « Je n'y arrive pas » mène à l'aide humaine ; pour aller ailleurs : stuck: <nœud>
    next: fin

  fin:
    kind: end
    text: C'est terminé.
    next_steps: Ce qui se passe ensuite.
    if_problem: Où regarder si cela ne marche pas.

  aide:
    kind: handoff
    text: Une personne peut vous aider à faire cette démarche.
    reason: Pas encore de compte
`;
}

/**
 * Writes `<dir>/<id>.yaml` from the skeleton. Refuses an invalid id or an existing file (never
 * overwrites an admin's work). Returns the path written, or an error message.
 */
export function createFlowFile(id: string, dir: string, today: string): { file: string } | { error: string } {
  if (!new RegExp(ID_PATTERN).test(id)) {
    return { error: `identifiant invalide « ${id} » : lettres minuscules sans accent, chiffres et tirets, par exemple « caf-attestation »` };
  }
  const file = join(dir, `${id}.yaml`);
  if (existsSync(file)) return { error: `${file} existe déjà : rien n’a été écrit (choisissez un autre identifiant ou modifiez ce fichier)` };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, flowSkeleton(id, today), { flag: 'wx' });
  return { file };
}

/** Registers `ariane new <flow-id> [--flows dir]`. */
export function registerNewCommand(program: Command): void {
  program
    .command('new')
    .description('Crée flows/<identifiant>.yaml : un parcours modèle commenté, à compléter.')
    .argument('<flow-id>', 'identifiant du parcours, par exemple caf-attestation')
    .option('--flows <dir>', 'dossier des parcours', 'flows')
    .action((id: string, opts: { flows: string }) => {
      const result = createFlowFile(id, opts.flows, new Date().toISOString().slice(0, 10));
      if ('error' in result) {
        process.stderr.write(`${result.error}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`créé : ${result.file}\nÀ vous de le compléter, puis : ariane check ${result.file}\n`);
    });
}
