import { z } from 'zod';

export const readSinkEnv = (source: NodeJS.ProcessEnv = process.env) =>
  z
    .object({
      ZWECK_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
      ZWECK_SINK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8025),
      ZWECK_SINK_DIR: z.string().min(1).optional(),
      /** The bounce and complaint mode: where reports go (the product's inbound listener), e.g. smtp://127.0.0.1:2526. */
      ZWECK_SINK_FEEDBACK_SMTP: z.url().optional(),
    })
    .parse(source);
