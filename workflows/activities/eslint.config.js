import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/activities', tsconfigRootDir: import.meta.dirname });
