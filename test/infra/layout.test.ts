// The layout the README's table describes: `functions/` holds only what is deployed (Lambda code and the dashboard),
// so nothing in it may import development tooling (`dev/`), the CDK app (`infra/`), benchmarks or tests. Checked
// on the import specifiers of every source file, so a move that breaks the rule fails here, not in a bundle.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const NOT_DEPLOYED = ['dev', 'infra', 'bench', 'test'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.(ts|tsx|mts)$/.test(e.name) ? [p] : [];
  });
}

/** Relative import specifiers of a module (static and dynamic imports, re-exports). */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The top-level folders of the repository a file under `functions/` reaches that are not deployed. */
export function undeployedImports(file: string, source: string): string[] {
  return relativeImports(source).flatMap((spec) => {
    const top = relative(ROOT, resolve(dirname(file), spec)).split(/[\\/]/)[0]!;
    return NOT_DEPLOYED.includes(top) ? [`${relative(ROOT, file)} imports ${spec}`] : [];
  });
}

describe('layout', () => {
  it('finds an import of development tooling from deployable code (the check itself)', () => {
    const file = join(ROOT, 'functions/app/example.ts');
    expect(undeployedImports(file, "import { seedDistrict } from '../../dev/seed/seed-district';")).toEqual([
      "functions/app/example.ts imports ../../dev/seed/seed-district",
    ]);
    expect(undeployedImports(file, "const m = await import('../../infra/app');")).toHaveLength(1);
    expect(undeployedImports(file, "import { caseItem } from '../store/keys';")).toEqual([]);
  });

  it('functions/ imports nothing from dev/, infra/, bench/ or test/', () => {
    const files = sources(join(ROOT, 'functions'));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => undeployedImports(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('every top-level folder of functions/ is in the README layout table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const folders = readdirSync(join(ROOT, 'functions'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const missing = folders.filter((f) => !readme.includes(`| \`functions/${f}/\``));
    expect(missing).toEqual([]);
  });
});
