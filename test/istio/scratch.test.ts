import { it } from 'vitest';
import { installIstioJudge, meshUnderJudgement, runAnalyzers, runPilot } from '../support/istio-judge.js';
it('scratch', async () => {
  await installIstioJudge();
  const mesh = await meshUnderJudgement(['examples/mesh']);
  const analysis = await runAnalyzers([...mesh.compiled, ...mesh.deployment.objects]);
  console.log(JSON.stringify(analysis.messages.map(m => `${m.code} ${m.level} ${m.resource?.kind}/${m.resource?.namespace}/${m.resource?.name}: ${m.message.slice(0,200)}`), null, 1));
  console.log(analysis.skippedAnalyzers);
  const proxies = mesh.deployment.proxies;
  console.log(proxies.map(p => `${p.kind} ${p.namespace}/${p.name} ${p.version} ${JSON.stringify(p.proxy)}`).join('\n'));
}, 600000);
