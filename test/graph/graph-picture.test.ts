// The picture of a mesh, checked as a person sees it: the example's DOT laid out by Graphviz itself
// (the Graphviz C sources compiled to WebAssembly, @hpcc-js/wasm-graphviz, pinned in
// package-lock.json) and rasterised to PNG (resvg). One edge per caller and callee, the gateway
// drawn as the gateway wherever rules name its identity, cohort edges saying who is in the cohort,
// no version standing alone, allow and deny in colour.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildServiceGraph, renderDot, renderMermaid, type ServiceGraph } from '../../src/graph/index.js';
import { loadMesh } from '../../src/loader/load-mesh.js';
import { validate } from '../../src/pipeline/index.js';
import { repoRoot } from '../helpers/run-cli.js';

const ACCESS_KINDS = new Set(['calls', 'may-call', 'denied', 'exposes']);
let graph: ServiceGraph;
beforeAll(async () => {
  graph = buildServiceGraph(validate(await loadMesh([path.join(repoRoot, 'examples', 'mesh')]), { targets: [] }).model);
});

describe('the example mesh as a graph', () => {
  it('has one edge per caller and callee: what the access rules allow is written on the call', () => {
    const pairs = graph.edges.filter((edge) => ACCESS_KINDS.has(edge.kind)).map((edge) => `${edge.from} -> ${edge.to}`);
    expect(pairs.filter((pair, index) => pairs.indexOf(pair) !== index)).toEqual([]);
    const call = graph.edges.find((edge) => edge.id === 'calls:service:storefront/productpage->service:storefront/reviews')!;
    expect(call.access).toEqual({ allowed: 'GET port 9080' });
    expect(graph.edges.some((edge) => edge.id === 'may-call:service:storefront/productpage->service:storefront/reviews')).toBe(false);
  });

  it('draws the gateway as the caller where rules name its service account', () => {
    expect(graph.nodes.filter((node) => node.id.startsWith('caller:sa:istio-ingress/'))).toEqual([]);
    const checkout = graph.edges.find((edge) => edge.id === 'exposes:gateway:istio-ingress/bookstore-gateway->service:orders/checkout')!;
    expect(checkout.access).toEqual({ allowed: 'JWT roles', denied: '/checkout/internal/*' });
  });

  it('labels cohort edges with the requests in the cohort', () => {
    const labels = graph.edges.filter((edge) => edge.label?.includes('cohort')).map((edge) => `${edge.to}: ${edge.label}`);
    expect(labels).toEqual([
      'version:orders/checkout/v2: cohort one-page-checkout: header x-checkout-experiment = one-page',
      'version:storefront/productpage/v2: editor-preview, cohort new-product-layout: cookie layout = beta',
    ]);
  });

  it('leaves out versions nothing sends traffic to; a comparison of revisions keeps them', async () => {
    const linked = new Set(graph.edges.flatMap((edge) => [edge.from, edge.to]));
    expect(graph.nodes.filter((node) => node.kind === 'version' && !linked.has(node.id)).map((node) => node.id)).toEqual([]);
    // cart's and inventory's only version, and reviews v1 (the canary splits v2 and v3): no route sends to them.
    const model = validate(await loadMesh([path.join(repoRoot, 'examples', 'mesh')]), { targets: [] }).model;
    const idle = buildServiceGraph(model, { idleVersions: true }).nodes.filter((node) => node.kind === 'version' && !linked.has(node.id));
    expect(idle.map((node) => node.id)).toEqual(['version:orders/cart/v1', 'version:orders/inventory/v1', 'version:storefront/reviews/v1']);
  });

  it('colours allowed callers green and denied ones red, in DOT and Mermaid', () => {
    const dot = renderDot(graph);
    expect(dot).toContain('"service:orders/cart" -> "service:orders/inventory" [label="calls · allowed: GET,POST port 8080", color="#1a7f37", fontcolor="#1a7f37"];');
    expect(dot).toContain('"caller:any" -> "service:storefront/productpage" [label="denied: /admin,/admin/*", arrowhead=tee, color="#cf222e", fontcolor="#cf222e"];');
    // An edge no access rule speaks about keeps the default colour.
    expect(dot).toContain('"service:orders/checkout" -> "external:orders/payments" [label="calls"];');
    const mermaid = renderMermaid(graph);
    expect(mermaid).toMatch(/^ {2}linkStyle [\d,]+ stroke:#1a7f37,color:#1a7f37$/m);
    expect(mermaid).toMatch(/^ {2}linkStyle [\d,]+ stroke:#cf222e,color:#cf222e$/m);
  });
});

describe('rendered by Graphviz', () => {
  it('lays out the DOT with every node and edge, and rasterises it to a PNG readable at its natural size', async () => {
    const graphviz = await Graphviz.load();
    const dot = renderDot(graph);
    const svg = graphviz.layout(dot, 'svg', 'dot');
    // Graphviz names every node and edge it drew by its title: the graph's ids.
    const titles = [...svg.matchAll(/<g id="(node|edge)\d+" class="(?:node|edge)">\s*<title>([^<]*)<\/title>/g)];
    expect(titles.filter(([, kind]) => kind === 'node')).toHaveLength(graph.nodes.length);
    expect(titles.filter(([, kind]) => kind === 'edge')).toHaveLength(graph.edges.length);
    expect(svg).toContain('stroke="#1a7f37"');
    expect(svg).toContain('stroke="#cf222e"');

    const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render();
    const bytes = png.asPng();
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // At one pixel per point, 10-point labels are readable; the whole picture fits two screens wide.
    expect(png.width).toBeGreaterThan(800);
    expect(png.width).toBeLessThanOrEqual(4000);
    expect(png.height).toBeLessThanOrEqual(2000);
    // Kept for a person to look at (git ignores .cache/).
    const out = path.join(repoRoot, '.cache', 'graph');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'example-mesh.png'), bytes);
  });
});
