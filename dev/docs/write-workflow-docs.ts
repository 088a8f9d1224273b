// `npm run docs:workflows`: regenerates docs/workflows.md.
import { writeFileSync } from 'node:fs';
import { workflowsDoc } from './workflow-diagrams';

writeFileSync('docs/workflows.md', workflowsDoc());
console.log('wrote docs/workflows.md');
