import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/leads', tsconfigRootDir: import.meta.dirname });
