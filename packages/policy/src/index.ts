export * from './vocabulary.ts';
export * from './purpose.ts';
export * from './consent-ledger.ts';
export * from './reasons.ts';
export * from './decide.ts';
export { digestOfOrdered, sha256HexPure } from './digest.ts';
export * from './contact-rules.ts';
export * from './special-categories.ts';
