import { createConfig } from '@zweck/config/eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default createConfig({
  packageName: '@zweck/web',
  tsconfigRootDir: import.meta.dirname,
  extra: [
    {
      files: ['src/**/*.{ts,tsx}'],
      plugins: { 'react-hooks': reactHooks },
      rules: reactHooks.configs.flat.recommended.rules,
    },
    {
      // The end-to-end test drives the whole system from outside: it prepares a database and
      // reads the mail sink, which the UI itself must never do.
      files: ['e2e/**/*.ts'],
      rules: {
        '@typescript-eslint/no-restricted-imports': 'off',
        'no-restricted-properties': 'off',
      },
    },
  ],
});
