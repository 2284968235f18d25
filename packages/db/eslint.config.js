import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/db', tsconfigRootDir: import.meta.dirname });
