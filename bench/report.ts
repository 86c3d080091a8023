// Renders benchmark results as Markdown tables (for the terminal and for docs/performance.md), and
// the differences from an earlier results file.
import { STEP_NAMES, type BenchResults } from './results.js';

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits: number) => value.toFixed(digits);

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const align = header.map((_, column) => (rightAligned.has(column) ? '---:' : '---'));
  return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

export function renderResults(results: BenchResults): string {
  const out: string[] = [];
  const { machine, settings } = results;
  out.push(
    `meshctl ${results.meshctl.version}${results.meshctl.commit ? ` (${results.meshctl.commit.slice(0, 12)}${results.meshctl.modified ? ', modified' : ''})` : ''}, ` +
      `${machine.cores} × ${machine.model}, ${machine.memoryGiB} GiB, Node.js ${machine.node}; ` +
      `seed ${settings.seed}, median of ${settings.runs} run${settings.runs === 1 ? '' : 's'} (cold start: ${settings.coldStartRuns}); ` +
      `load average ${machine.loadAverageStart.map((l) => l.toFixed(2)).join(' ')} at the start`,
  );
  out.push('');
  out.push(
    table(
      ['step', 'services', 'input MB', 'wall ms', 'CPU ms', 'peak RSS MiB', 'objects', 'MB/s'],
      results.steps.map((s) => [
        STEP_NAMES[s.step],
        integer(s.services ?? 0),
        fixed(s.inputMB, 2),
        integer(s.wallMs),
        integer(s.cpuMs),
        integer(s.peakRssMiB),
        s.objects === null ? '–' : integer(s.objects),
        s.throughputMBps === null ? '–' : fixed(s.throughputMBps, 2),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  const sideBySide = sideBySideRows(results);
  if (sideBySide.length > 0) {
    out.push('');
    out.push(
      table(
        ['side by side, services', 'parse floor ms', 'validate ms', 'validate / floor', 'compile istio > stdout ms', 'compile / floor', "Istio's analyzers ms", 'analyzers / validate'],
        sideBySide,
        new Set([0, 1, 2, 3, 4, 5, 6, 7]),
      ),
    );
  }
  out.push('');
  out.push(
    table(
      ['cold start', 'wall ms', 'CPU ms', 'peak RSS MiB'],
      results.coldStart.map((s) => [STEP_NAMES[s.step], integer(s.wallMs), integer(s.cpuMs), integer(s.peakRssMiB)]),
      new Set([1, 2, 3]),
    ),
  );
  if (results.envoy.status === 'measured') {
    out.push('');
    out.push(
      table(
        ['Envoy config of one workload', 'services', 'dependencies', 'clusters', 'routes', 'listeners', 'bytes', 'clusters, every 3-dependency workload: most / median', 'whole mesh: clusters', 'whole mesh: MB of Envoy config', 'largest sidecar: clusters / bytes (its dependencies)'],
        results.envoy.workloads.map((w) => [
          w.workload,
          integer(w.services),
          String(w.dependencies.length),
          integer(w.clusters),
          integer(w.routes),
          integer(w.listeners),
          integer(w.bytes),
          `${integer(w.clustersMost)} / ${fixed(w.clustersMedian, 1)} (of ${integer(w.workloadsWithSameDependencies)})`,
          integer(w.meshClusters),
          fixed(w.meshBytes / (1024 * 1024), 1),
          w.largest ? `${integer(w.largest.clusters)} / ${integer(w.largest.bytes)} (${w.largest.dependencies})` : '–',
        ]),
        new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      ),
    );
  }
  if (results.cluster.status === 'measured') {
    out.push('');
    out.push(
      table(
        [`API server, ${integer(results.cluster.services)} services (${integer(results.cluster.objects)} objects)`, 'meshctl ms', 'kubectl ms', 'kubectl / meshctl'],
        results.cluster.operations.map((o) => [o.operation, integer(o.meshctlMs), integer(o.kubectlMs), `${fixed(o.speedup, 1)}×`]),
        new Set([1, 2, 3]),
      ),
    );
  }
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'status', 'note'],
      results.targets.map((t) => [t.target, t.measured ?? '–', t.status, t.note ?? '']),
      new Set([1]),
    ),
  );
  return `${out.join('\n')}\n`;
}

/** Each mesh's side-by-side figures: meshctl against the parse floor, and Istio's analyzers against validate. */
function sideBySideRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  for (const mesh of results.meshes) {
    const at = (step: string) => results.steps.find((s) => s.step === step && s.services === mesh.services);
    const floor = at('parse-floor');
    if (!floor) continue;
    const validate = at('validate');
    const compile = at('compile-istio-stdout');
    const istio = at('istio-analyzers');
    const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '–' : `${fixed(a / b, 2)}×`);
    rows.push([
      integer(mesh.services),
      integer(floor.wallMs),
      validate ? integer(validate.wallMs) : '–',
      ratio(validate?.wallMs, floor.wallMs),
      compile ? integer(compile.wallMs) : '–',
      ratio(compile?.wallMs, floor.wallMs),
      istio ? integer(istio.wallMs) : '–',
      ratio(istio?.wallMs, validate?.wallMs),
    ]);
  }
  return rows;
}

/** Per step in both runs: how wall time, CPU time and peak RSS moved (negative: better). */
export function renderComparison(before: BenchResults, after: BenchResults): string {
  const beforeSteps = new Map([...before.steps, ...before.coldStart].map((s) => [s.id, s]));
  const rows: string[][] = [];
  for (const now of [...after.steps, ...after.coldStart]) {
    const then = beforeSteps.get(now.id);
    if (!then) continue;
    rows.push([
      STEP_NAMES[now.step],
      now.services === null ? '–' : integer(now.services),
      `${integer(then.wallMs)} → ${integer(now.wallMs)}`,
      change(then.wallMs, now.wallMs),
      `${integer(then.cpuMs)} → ${integer(now.cpuMs)}`,
      change(then.cpuMs, now.cpuMs),
      `${integer(then.peakRssMiB)} → ${integer(now.peakRssMiB)}`,
      change(then.peakRssMiB, now.peakRssMiB),
    ]);
  }
  if (rows.length === 0) return 'no step of this run was also in the earlier results\n';
  const header = `compared with ${before.date} (${before.meshctl.commit?.slice(0, 12) ?? 'unknown commit'}${before.meshctl.modified ? ', modified' : ''})`;
  return `${header}\n\n${table(['step', 'services', 'wall ms', 'Δ wall', 'CPU ms', 'Δ CPU', 'peak RSS MiB', 'Δ RSS'], rows, new Set([1, 2, 3, 4, 5, 6, 7]))}\n`;
}

function change(before: number, after: number): string {
  if (before === 0) return '–';
  const percent = ((after - before) / before) * 100;
  return `${percent > 0 ? '+' : ''}${percent.toFixed(1)}%`;
}
