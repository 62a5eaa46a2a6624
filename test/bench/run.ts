import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- <name> [args]`: runs test/bench/<name>.bench.ts. Every benchmark prints its
 * figure beside a baseline measured in the same run, as a ratio, so machine noise cancels.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|') || 'none yet'}> [args]`);
  process.exit(name ? 1 : 0);
}
process.argv = [process.argv[0]!, process.argv[1]!, ...args];
await import(`./${name}.bench.ts`);
