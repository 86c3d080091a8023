// The oclif runtime as bin/run.js uses it. `npm run build` bundles this module with every command
// and hook into dist/bundle/ (scripts/bundle.mjs), so that a start reads a handful of files instead
// of resolving and compiling some 400 modules one by one; bin/run.js takes the runtime from the
// bundle, and the commands from it through oclif.manifest.json, so that both share one oclif.
export { Errors, flush, handle, Plugin, run, settings } from '@oclif/core';
