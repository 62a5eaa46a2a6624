import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { fmt } from './stats.js';

/**
 * A V8 CPU profile of this thread over one phase (node:inspector), and a summary of it: self time
 * by package (PGlite, pg, drizzle, pkijs/asn1js, Fastify, node core, platform code, GC) and the
 * hottest functions by self and by inclusive time. The .cpuprofile opens in Chrome DevTools.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export class Profiler {
  readonly #session = new Session();

  async start(): Promise<void> {
    this.#session.connect();
    await this.#post('Profiler.enable');
    await this.#post('Profiler.setSamplingInterval', { interval: 200 });
    await this.#post('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.#post('Profiler.stop')) as { profile: CpuProfile };
    await this.#post('Profiler.disable');
    this.#session.disconnect();
    return profile;
  }

  #post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) => this.#session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  }
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Which bucket a frame's self time belongs to. */
function category(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8/native (program)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) {
    const pkg = m[1]!;
    if (pkg === '@electric-sql/pglite') return 'PGlite (wasm Postgres)';
    if (/^(pg|pg-protocol|pg-types|pg-pool|pgpass|postgres-.*|pg-connection-string)$/.test(pkg)) return 'pg driver';
    if (pkg === 'drizzle-orm') return 'drizzle-orm';
    if (/^(pkijs|asn1js|pvtsutils|pvutils|bytestreamjs|@noble\/hashes)$/.test(pkg)) return 'pkijs/asn1js';
    if (/^(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|ajv|fast-uri|@fastify\/.*|secure-json-parse|fast-querystring|json-schema-ref-resolver|rfdc|abstract-logging|process-warning|toad-cache|fast-decode-uri-component|ret|safe-regex2)$/.test(pkg)) return 'Fastify (+ajv, serializer)';
    if (/^(pino|pino-std-serializers|sonic-boom|fast-redact|thread-stream|on-exit-leak-free|quick-format-unescaped|atomic-sleep|real-require|safe-stable-stringify)$/.test(pkg)) return 'pino';
    if (pkg === 'tsx' || pkg === 'esbuild') return 'tsx';
    return `other: ${pkg}`;
  }
  if (url.startsWith('node:') || (!url.includes('/') && url !== '')) return 'node core (http, net, streams, crypto glue)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith(`${ROOT}platform/src/jpki`)) return 'platform jpki';
  if (path.startsWith(`${ROOT}platform/`)) return 'platform (other)';
  if (path.startsWith(`${ROOT}test/`)) return 'benchmark';
  if (url === '') return 'V8 builtins / native';
  return 'other';
}

/** Prints the summary; writes the profile to `path` when given. */
export function summariseProfile(profile: CpuProfile, opts: { path?: string; top?: number } = {}): void {
  if (opts.path) writeFileSync(opts.path, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const busy = total - idle;

  const cats = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const label = (n: ProfileNode) => {
    const f = n.callFrame;
    const where = f.url ? f.url.replace(/^file:\/\//, '').replace(ROOT, '').replace(/^.*node_modules\//, '') : '';
    return `${f.functionName || '(anonymous)'} ${where}${where ? `:${f.lineNumber + 1}` : ''}`;
  };
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const c = category(n.callFrame.url, n.callFrame.functionName);
    if (c === 'idle') continue;
    cats.set(c, (cats.get(c) ?? 0) + us);
    selfFn.set(label(n), (selfFn.get(label(n)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclFn.set(l, (inclFn.get(l) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${fmt((us / busy) * 100, 1).padStart(5)}%`;
  console.log(`\nCPU profile of the server thread (${fmt(total / 1e6)} s sampled, ${fmt((busy / total) * 100, 0)}% busy)${opts.path ? `, written to ${opts.path}` : ''}`);
  console.log('  self time by package (share of busy time):');
  for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`    ${pct(us)}  ${c}`);
  const top = opts.top ?? 15;
  console.log('  hottest functions, self time:');
  for (const [l, us] of [...selfFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(us)}  ${l}`);
  console.log('  hottest functions, inclusive time (project code and entry points):');
  const interesting = [...inclFn].filter(([l]) => /platform\/src|drizzle-orm\/[^ ]*(session|pg-core\/dialect)|pglite\/dist\/index|pg\/lib\/client|fastify\/lib\/(route|handleRequest|reply)|fast-json-stringify|pkijs/.test(l));
  for (const [l, us] of interesting.sort((a, b) => b[1] - a[1]).slice(0, top + 10)) console.log(`    ${pct(us)}  ${l}`);
}
