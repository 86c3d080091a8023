/** Whether root's oclif.manifest.json is newer than everything under dist/commands and dist/cli. */
export function manifestIsFresh(root: string): boolean;
