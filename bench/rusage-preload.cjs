// Loaded with `node --require` by bench/measure-process.ts where /usr/bin/time is missing: as the
// process exits, writes its own resource usage (CPU microseconds, peak RSS in KiB) to the file
// named by MESHCTL_BENCH_RUSAGE_FILE. CommonJS, because --require is cheaper than an ESM --import
// and the cold-start figures must not pay for the measuring.
const { writeFileSync } = require('node:fs');

const target = process.env.MESHCTL_BENCH_RUSAGE_FILE;
if (target) {
  process.on('exit', () => {
    const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ userCPUTime, systemCPUTime, maxRSS }));
  });
}
