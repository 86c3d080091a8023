// A mistyped command ("meshctl valdiate") gets a suggestion instead of oclif's bare "not found".
import { Errors, type Hook } from '@oclif/core';
import { suggestCommand } from '../cli/suggest-command.js';

const hook: Hook<'command_not_found'> = async function (options) {
  // With spaces between topics, oclif reads every word before the first flag as part of the
  // command ("valdiate mesh/" arrives as "valdiate:mesh/"); meshctl's commands are one word.
  const [typed = ''] = options.id.split(':');
  throw new Errors.CLIError(suggestCommand(typed, options.config.commandIDs), { exit: 2 });
};

export default hook;
