import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/api', tsconfigRootDir: import.meta.dirname });
