import { ZChannel, ZPurposeId } from '@zweck/policy';
import { ZSegmentDefinition } from '@zweck/segments/definition';
import { z } from 'zod';

export const ZSegmentValues = z.object({
  name: z.string().trim().min(1, 'Give the segment a name').max(100, 'At most 100 characters'),
  description: z.string().trim().max(500, 'At most 500 characters'),
  definition: ZSegmentDefinition,
});
export type SegmentValues = z.infer<typeof ZSegmentValues>;

export const ZSegmentIdInput = z.object({ id: z.uuid() });
export const ZCreateSegmentInput = ZSegmentValues;
export const ZUpdateSegmentInput = ZSegmentValues.extend({ id: z.uuid() });

export const ZSegmentListItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** Members now (erased contacts never count). */
  memberCount: z.number().int(),
  campaignCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZSegmentOut = ZSegmentListItem.extend({
  definition: ZSegmentDefinition,
  /** 'user:<id>' of whoever created it. */
  createdBy: z.string(),
  campaigns: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
});
export type SegmentOut = z.infer<typeof ZSegmentOut>;

export const ZPreviewInput = z.object({
  definition: ZSegmentDefinition,
  purposeId: ZPurposeId,
  channel: ZChannel,
});

const ZReasonCount = z.object({
  /** A policy reason code (packages/policy REASONS), or ADDRESS_UNDELIVERABLE (a hard bounce; the send gate skips it too). */
  code: z.string(),
  count: z.number().int(),
});

export const ZPreviewOut = z.object({
  /** Members of the segment. */
  count: z.number().int(),
  /** Members the policy lets the purpose reach on the channel now. */
  reachable: z.number().int(),
  /** The others, grouped by their primary (first) reason, largest group first. */
  excluded: z.array(ZReasonCount),
  /** How often each reason applies (a member may have several), largest first. */
  reasons: z.array(ZReasonCount),
  /** The instant the policy decided at. */
  decidedAt: z.date(),
});
export type PreviewOut = z.infer<typeof ZPreviewOut>;
