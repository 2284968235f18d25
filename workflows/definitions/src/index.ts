// The workflow bundle's entry: every workflow type the worker registers is exported here.
export { welcomeWorkflow } from './welcome.workflow.ts';
