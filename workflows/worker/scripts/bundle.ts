// Bundles the workflow code once at build time, so that a production worker starts without webpack.
import { mkdir, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../src/worker.ts';

const { code } = await bundleWorkflowCode({ workflowsPath });
const out = new URL('../dist/workflow-bundle.js', import.meta.url);
await mkdir(new URL('.', out), { recursive: true });
await writeFile(out, code);
console.log(`workflow bundle: ${(code.length / 1024).toFixed(0)} KiB written to dist/workflow-bundle.js`);
