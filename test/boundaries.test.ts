import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Who may import whom (the table in platform/src/shared/README.md). Every import specifier of
 * every .ts file under platform/, reader-driver/ and stb-ui/ is read with the TypeScript parser:
 * static imports, `export … from`, dynamic `import()`, `import('…').T` types and `import type`.
 * An import counts as type-only only when TypeScript erases it (`import type`, `export type`,
 * `import('…')` in a type position); with verbatimModuleSyntax `import { type A }` still loads the
 * module at run time, so it is a value import here.
 */

const ROOT = resolve(import.meta.dirname, '..');
const SCANNED = ['platform', 'reader-driver', 'stb-ui'];

export interface ImportEdge {
  /** Repository-relative paths with forward slashes. */
  from: string;
  specifier: string;
  /** The repository file it resolves to; null for packages and built-ins. */
  to: string | null;
  typeOnly: boolean;
}

const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is `./x.ts` on disk under NodeNext). */
function resolveRelative(fromAbs: string, specifier: string): string | null {
  const base = resolve(dirname(fromAbs), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Every import of one file. */
export function importsOf(fileAbs: string): ImportEdge[] {
  const source = ts.createSourceFile(fileAbs, readFileSync(fileAbs, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly === true });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      // A computed dynamic import cannot be checked: refuse it rather than let it through.
      found.push({ specifier: arg && ts.isStringLiteralLike(arg) ? arg.text : '<computed>', typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(({ specifier, typeOnly }) => {
    const relativeSpec = specifier.startsWith('./') || specifier.startsWith('../');
    const target = relativeSpec ? resolveRelative(fileAbs, specifier) : null;
    return { from: rel(fileAbs), specifier, to: target ? rel(target) : relativeSpec ? `<unresolved ${specifier}>` : null, typeOnly };
  });
}

const SHARED = 'platform/src/shared/';
const under = (path: string, folder: string) => path.startsWith(folder);
const NODE_BUILTINS = new Set(
  ['assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'url', 'util', 'worker_threads', 'zlib'],
);

/** The shared files written for the browser too (pure data, no Node); stb-ui may import them. */
const BROWSER_SAFE_SHARED = new Set(['errors.ts', 'pins.ts', 'reader-address.ts', 'shelter-subject.ts', 'uuidv7.ts'].map((f) => `${SHARED}${f}`));

/** Files whose computed `import()` loads an npm package by name (never a repository file). */
const COMPUTED_IMPORTS = new Set(['reader-driver/src/pcsc/binding.ts']); // the optional pcsclite native module

/** Why this import breaks the table, or null when it is allowed. */
export function violation(edge: ImportEdge): string | null {
  const { from, to, specifier, typeOnly } = edge;
  if (specifier === '<computed>') {
    return COMPUTED_IMPORTS.has(from) ? null : 'a dynamic import with a computed specifier cannot be checked';
  }
  if (to?.startsWith('<unresolved')) return 'a relative import that names no file';
  const builtin = specifier.startsWith('node:') || NODE_BUILTINS.has(specifier);
  if (to === null) {
    // Packages and built-ins; the browser has no built-ins.
    return under(from, 'stb-ui/') && builtin ? 'browser code imports a Node built-in' : null;
  }
  if (under(from, SHARED)) return under(to, SHARED) ? null : 'platform/src/shared imports nothing else in the repository';
  if (under(from, 'reader-driver/')) {
    if (under(from, 'reader-driver/src/apdu/') && under(to, 'reader-driver/src/transport/')) return 'the APDU layer does not import the transports';
    return under(to, 'reader-driver/') || under(to, SHARED) ? null : 'reader-driver imports only itself and platform/src/shared';
  }
  if (under(from, 'platform/')) return under(to, 'platform/') ? null : 'platform imports only itself (never reader-driver or stb-ui)';
  if (under(from, 'stb-ui/')) {
    if (under(to, 'stb-ui/') || BROWSER_SAFE_SHARED.has(to)) return null;
    const typeOnlyTarget = /^platform\/src\/(routes|[a-z0-9-]+)\/[a-z0-9-]+-schemas\.ts$/.test(to) || to === 'reader-driver/src/ws/protocol.ts';
    if (typeOnlyTarget) return typeOnly ? null : 'stb-ui imports schemas and the driver protocol with `import type` only';
    return 'stb-ui imports only itself, the browser-safe shared files, the platform API contracts (*-schemas.ts) and reader-driver/src/ws/protocol.ts';
  }
  return null;
}

/** Groups of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === null || e.to.startsWith('<')) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next.get(v)?.has(v)) found.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return found;
}

const edges = SCANNED.flatMap((dir) => tsFiles(join(ROOT, dir))).flatMap(importsOf);

describe('import boundaries (platform/src/shared/README.md)', () => {
  it('reads the imports of every kind', () => {
    // The scanner itself: if it stopped seeing a kind of import, the rules below would pass vacuously.
    const kinds = new Set(edges.filter((e) => e.to !== null).map((e) => (e.typeOnly ? 'type' : 'value')));
    expect([...kinds].sort()).toEqual(['type', 'value']);
    expect(edges.some((e) => e.from === 'stb-ui/src/tv/main.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('every import follows the table', () => {
    const broken = edges.flatMap((e) => {
      const why = violation(e);
      return why ? [`${e.from} → ${e.specifier}${e.typeOnly ? ' (type)' : ''}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('no files import each other, directly or around a loop', () => {
    expect(cycles(edges)).toEqual([]);
  });
});

describe('the rules themselves', () => {
  const edge = (from: string, to: string | null, typeOnly = false, specifier = 'x'): ImportEdge => ({ from, to, specifier, typeOnly });

  it('refuses what the table forbids', () => {
    expect(violation(edge('platform/src/shared/errors.ts', 'platform/src/config.ts'))).toMatch(/shared imports nothing/);
    expect(violation(edge('reader-driver/src/main.ts', 'platform/src/config.ts'))).toMatch(/reader-driver imports only/);
    expect(violation(edge('reader-driver/src/apdu/guard.ts', 'reader-driver/src/transport/transport.ts', true))).toMatch(/APDU layer/);
    expect(violation(edge('platform/src/jpki/dev-center/center.ts', 'reader-driver/src/virtual-card/card-file.ts', true))).toMatch(/platform imports only/);
    expect(violation(edge('stb-ui/src/api/platform-client.ts', 'platform/src/identity/registration.ts', true))).toMatch(/stb-ui imports only/);
    expect(violation(edge('stb-ui/src/api/platform-client.ts', 'platform/src/routes/identity-schemas.ts', false))).toMatch(/import type/);
    expect(violation(edge('stb-ui/src/api/reader-client.ts', 'reader-driver/src/transport/transport.ts', true))).toMatch(/stb-ui imports only/);
    expect(violation(edge('stb-ui/src/tv/main.ts', null, false, 'node:crypto'))).toMatch(/Node built-in/);
    expect(violation(edge('stb-ui/src/tv/main.ts', 'platform/src/shared/logger.ts'))).toMatch(/stb-ui imports only/);
    expect(violation(edge('stb-ui/src/tv/main.ts', '<unresolved ./gone.js>'))).toMatch(/names no file/);
  });

  it('allows what the table allows', () => {
    expect(violation(edge('reader-driver/src/ws/server.ts', 'platform/src/shared/errors.ts'))).toBeNull();
    expect(violation(edge('stb-ui/src/tv/messages.ts', 'platform/src/shared/errors.ts'))).toBeNull();
    expect(violation(edge('stb-ui/src/config.ts', 'platform/src/shared/reader-address.ts'))).toBeNull();
    expect(violation(edge('stb-ui/src/api/platform-client.ts', 'platform/src/routes/identity-schemas.ts', true))).toBeNull();
    expect(violation(edge('stb-ui/src/api/reader-client.ts', 'reader-driver/src/ws/protocol.ts', true))).toBeNull();
    expect(violation(edge('platform/src/app.ts', null, false, 'fastify'))).toBeNull();
  });

  it('finds a loop of any length, and a file that imports itself', () => {
    const loop = [edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts', true), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts'), edge('e.ts', 'e.ts')];
    expect(cycles(loop)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    expect(cycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts')])).toEqual([]);
  });
});
