import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/decision-facts', tsconfigRootDir: import.meta.dirname });
