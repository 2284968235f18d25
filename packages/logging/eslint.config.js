import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/logging', tsconfigRootDir: import.meta.dirname });
