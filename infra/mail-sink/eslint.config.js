import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/mail-sink', tsconfigRootDir: import.meta.dirname });
