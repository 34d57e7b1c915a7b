#!/usr/bin/env node
/**
 * The `ariane` admin command. Each sub-command lives in its own `<name>Command.ts` file exporting a
 * `register…Command(program)` function, so that commands can be added without touching each other.
 */
import { Command } from 'commander';
import { registerCheckCommand } from './checkCommand';
import { registerNewCommand } from './newCommand';
import { registerChatCommand } from './chatCommand';
import { registerTestCommand } from './testCommand';
import { registerGraphCommand } from './graphCommand';
import { registerChecklistCommand } from './checklistCommand';
import { registerPlacesCommand } from './placesCommand';
import { registerGeocodeCommand } from './geocodeCommand';
import { registerHandoffCommand } from './handoffCommand';
import { registerMatchCommand } from './matchCommand';
import { registerSourcesCommand } from './sourcesCommand';
import { registerMediatorCommand } from './mediatorCommand';

/** Builds the CLI program (exported for tests, which run it in-process). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ariane')
    .description('Ariane — outils pour les parcours (flows) : vérifier, tester, discuter, dessiner.')
    .showHelpAfterError();
  // Commands register themselves here, one line each.
  registerCheckCommand(program);
  registerNewCommand(program);
  registerChatCommand(program);
  registerTestCommand(program);
  registerGraphCommand(program);
  registerChecklistCommand(program);
  registerPlacesCommand(program);
  registerGeocodeCommand(program);
  registerHandoffCommand(program);
  registerMatchCommand(program);
  registerSourcesCommand(program);
  registerMediatorCommand(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    });
}
