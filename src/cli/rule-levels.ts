// Parses --rule CODE=level flags.
import type { LevelSetting } from '../diagnostics/types.js';
import { UserError } from '../diagnostics/user-error.js';

const LEVELS: readonly LevelSetting[] = ['off', 'info', 'warning', 'error'];

export function parseRuleLevels(values: readonly string[]): Record<string, LevelSetting> {
  const levels: Record<string, LevelSetting> = {};
  for (const value of values) {
    const match = /^([^=\s]+)=(\w+)$/.exec(value.trim());
    const level = match?.[2] === 'warn' ? 'warning' : match?.[2];
    if (!match || !LEVELS.includes(level as LevelSetting)) {
      throw new UserError(`--rule ${value}: expected CODE=off|info|warning|error, e.g. --rule MESH301=warning`);
    }
    levels[match[1]!] = level as LevelSetting;
  }
  return levels;
}
