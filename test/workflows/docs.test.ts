// docs/workflows.md is generated from the case machines and the ASL files: it must not drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseTypes } from '../../functions/domain/case';
import { workflowsDoc } from '../../dev/docs/workflow-diagrams';
import { workflowNames, workflows } from '../../functions/workflows/catalog';

describe('docs/workflows.md', () => {
  const doc = readFileSync('docs/workflows.md', 'utf8');

  it('is what `npm run docs:workflows` generates from the machines and the ASL files', () => {
    expect(doc).toBe(workflowsDoc());
  });

  it('has a Mermaid diagram for every case type and every workflow', () => {
    for (const t of caseTypes) expect(doc).toContain(`### ${t}\n\n\`\`\`mermaid\nstateDiagram-v2`);
    for (const w of workflowNames) expect(doc).toContain(`### ${workflows[w].file}\n`);
  });
});
