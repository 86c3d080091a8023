// Loaded with `node --require` by the CLI test helper: on exit, writes the process's own CPU time
// (user + system, microseconds) to the file named by MESHCTL_TEST_CPU_FILE. CPU time measures what
// meshctl itself spends, unlike wall time, which also counts waiting for a busy machine's cores.
const { writeFileSync } = require('node:fs');

const target = process.env.MESHCTL_TEST_CPU_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.cpuUsage();
    writeFileSync(target, String(usage.user + usage.system));
  });
}
