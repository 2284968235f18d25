import { createConfig } from '@zweck/config/eslint';

export default createConfig({ packageName: '@zweck/journeys', tsconfigRootDir: import.meta.dirname });
