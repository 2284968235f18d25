import type { ViteUserConfig } from 'vitest/config';

export declare function defineTestConfig(test?: ViteUserConfig['test']): ViteUserConfig;
