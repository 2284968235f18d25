import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/policy', tsconfigRootDir: import.meta.dirname });
