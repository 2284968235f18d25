export * from './definition.ts';
export * from './validate.ts';
export * from './publish-check.ts';
