import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/worker', tsconfigRootDir: import.meta.dirname });
