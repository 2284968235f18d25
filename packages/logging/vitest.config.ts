import { defineTestConfig } from '@zweck/config/vitest';

export default defineTestConfig();
