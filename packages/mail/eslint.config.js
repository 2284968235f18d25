import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/mail', tsconfigRootDir: import.meta.dirname });
