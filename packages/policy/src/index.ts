export * from './vocabulary.ts';
export * from './purpose.ts';
export * from './consent-ledger.ts';
export * from './reasons.ts';
export * from './decide.ts';
export { digestOf } from './digest.ts';
