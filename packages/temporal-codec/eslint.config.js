import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/temporal-codec', tsconfigRootDir: import.meta.dirname });
