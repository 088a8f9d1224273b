// `npm run docs:workflows`: regenerates docs/workflows.md.
import { writeFileSync } from 'node:fs';
import { workflowsDoc } from './diagrams';

writeFileSync('docs/workflows.md', workflowsDoc());
console.log('wrote docs/workflows.md');
