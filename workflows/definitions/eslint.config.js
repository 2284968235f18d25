import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/workflows', tsconfigRootDir: import.meta.dirname });
