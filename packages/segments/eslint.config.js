import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/segments', tsconfigRootDir: import.meta.dirname });
