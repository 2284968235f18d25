import { ZJourneyDefinition, ZJourneyTrigger } from '@zweck/journeys';
import { ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

export const JOURNEY_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export const ZJourneyStatus = z.enum(JOURNEY_STATUSES);
export type JourneyStatus = z.infer<typeof ZJourneyStatus>;

const ZName = z.string().trim().min(1, 'Give the journey a name').max(120, 'At most 120 characters');
const ZDescription = z.string().trim().max(500, 'At most 500 characters');

export const ZJourneyIdInput = z.object({ id: z.uuid('Not a journey ID') });

/** A new journey starts as a draft with its purpose and trigger, and one exit step to build from. */
export const ZCreateJourneyInput = z.object({
  name: ZName,
  description: ZDescription.default(''),
  purposeId: ZPurposeId,
  trigger: ZJourneyTrigger,
});

/** The designer saves the whole draft; it must parse, but may still have graph or catalogue issues. */
export const ZUpdateDraftInput = z.object({
  id: z.uuid('Not a journey ID'),
  name: ZName.optional(),
  description: ZDescription.optional(),
  draft: ZJourneyDefinition,
});

export const ZValidateInput = z.object({ definition: ZJourneyDefinition });

export const ZStatsInput = z.object({
  journeyId: z.uuid('Not a journey ID'),
  /** Absent: every version of the journey. */
  versionId: z.uuid('Not a version ID').optional(),
});

/** One thing that stops publishing, with a stable code the designer branches on. */
export const ZJourneyIssue = z.object({
  code: z.string(),
  stepId: z.string().nullable(),
  field: z.string().nullable(),
  message: z.string(),
  article: z.string().nullable(),
});
export type JourneyIssueOut = z.infer<typeof ZJourneyIssue>;

export const ZVersionSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  /** SHA-256 of the canonical definition (sorted keys), hex. */
  definitionHash: z.string(),
  publishedBy: z.string(),
  publishedAt: z.date(),
});

export const ZVersionOut = ZVersionSummary.extend({ definition: ZJourneyDefinition });

export const ZJourneyListItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: ZJourneyStatus,
  purposeId: z.string(),
  triggerType: z.string(),
  latestVersion: z.object({ number: z.number().int(), publishedAt: z.date() }).nullable(),
  activeEnrollments: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type JourneyListItem = z.infer<typeof ZJourneyListItem>;

export const ZJourneyOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: ZJourneyStatus,
  draft: ZJourneyDefinition,
  /** Whether the draft differs from the latest version (false when nothing is published). */
  hasUnpublishedChanges: z.boolean(),
  versions: z.array(ZVersionSummary),
  /** Everything that stops the draft from being published now; empty: it may be published. */
  issues: z.array(ZJourneyIssue),
  createdBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type JourneyOut = z.infer<typeof ZJourneyOut>;

export const ZIssuesOut = z.object({ issues: z.array(ZJourneyIssue) });

export const ZPublishOut = z.object({ version: ZVersionSummary });

export const ZStatusOut = z.object({ status: ZJourneyStatus });

export const ZStatsOut = z.object({
  versions: z.array(
    z.object({
      versionId: z.string(),
      number: z.number().int(),
      /** Enrolments still running. */
      active: z.number().int(),
      exited: z.number().int(),
      /** Running enrolments per step they stand at. */
      atStep: z.array(z.object({ stepId: z.string().nullable(), count: z.number().int() })),
      /** Ended enrolments per (step where they left, why). */
      exits: z.array(z.object({ stepId: z.string().nullable(), reason: z.string().nullable(), count: z.number().int() })),
    }),
  ),
});
export type StatsOut = z.infer<typeof ZStatsOut>;
