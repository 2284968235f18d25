import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/consent-receipt', tsconfigRootDir: import.meta.dirname });
