import type { Prisma } from '@zweck/db';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { eraseContactForRequest, recordErasureReport, rectifyContact, recordObjection, restrictContact } from '../../dsr/dsr.actions.ts';
import { erasureStatus, signalDsrUpdated } from '../../dsr/dsr.automation.ts';
import {
  automationOf,
  CLOSED_STATUSES,
  createStaffRequest,
  daysLeft,
  dsrReference,
  extendRequest,
  latestExtensionFor,
  lockOpenRequest,
  recordEvent,
  setRequestStatus,
} from '../../dsr/dsr.service.ts';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZCreateRequestInput,
  ZEraseInput,
  ZExtendRequestInput,
  ZIdentityMethod,
  ZListRequestsInput,
  ZRectifyInput,
  ZRequestId,
  ZRequestListItem,
  ZRequestOut,
  ZSetStatusInput,
  type RequestListItem,
  type RequestOut,
} from './requests.schema.ts';

/** The DPO handles requests; administrators may follow them. */
const READERS = ['dpo', 'admin'] as const;
const HANDLERS = ['dpo'] as const;

const listSelect = {
  id: true,
  type: true,
  intake: true,
  status: true,
  contactId: true,
  receivedAt: true,
  dueAt: true,
  extendedDueAt: true,
} satisfies Prisma.DataSubjectRequestSelect;

function toListItem(row: Prisma.DataSubjectRequestGetPayload<{ select: typeof listSelect }>, now: Date): RequestListItem {
  const effective = row.extendedDueAt ?? row.dueAt;
  const isClosed = CLOSED_STATUSES.includes(row.status);
  return {
    id: row.id,
    reference: dsrReference(row.id),
    type: row.type,
    intake: row.intake,
    status: row.status,
    contactId: row.contactId,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    effectiveDueAt: effective.toISOString(),
    isExtended: row.extendedDueAt !== null,
    daysLeft: isClosed ? null : daysLeft(effective, now),
    isOverdue: !isClosed && effective.getTime() < now.getTime(),
  };
}

const jsonObject = (value: Prisma.JsonValue): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export const requestsRouter = router({
  /** The queue: open requests by due date (the one in force), with countdown and overdue filters. */
  list: procedureFor(...READERS)
    .input(ZListRequestsInput)
    .output(z.array(ZRequestListItem))
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const active = { status: { notIn: [...CLOSED_STATUSES] } } satisfies Prisma.DataSubjectRequestWhereInput;
      const soon = new Date(now.getTime() + 7 * 86_400_000);
      const dueWhere: Prisma.DataSubjectRequestWhereInput =
        input.due === 'overdue'
          ? { OR: [{ extendedDueAt: { lt: now } }, { extendedDueAt: null, dueAt: { lt: now } }] }
          : input.due === 'within_7_days'
            ? { OR: [{ extendedDueAt: { gte: now, lte: soon } }, { extendedDueAt: null, dueAt: { gte: now, lte: soon } }] }
            : {};
      const rows = await ctx.db.dataSubjectRequest.findMany({
        where: {
          ...(input.status === 'active' ? active : input.status === 'closed' ? { status: { in: [...CLOSED_STATUSES] } } : {}),
          ...(input.type ? { type: input.type } : {}),
          ...(input.due ? { AND: [active, dueWhere] } : {}),
        },
        select: listSelect,
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: input.limit,
      });
      return rows
        .map((r) => toListItem(r, now))
        .sort((a, b) => a.effectiveDueAt.localeCompare(b.effectiveDueAt) || a.id.localeCompare(b.id));
    }),

  /** One request: timeline, identity check, deadlines, the person's record (for the action), notices, artefacts. */
  get: procedureFor(...READERS)
    .input(ZRequestId)
    .output(ZRequestOut)
    .query(async ({ ctx, input }): Promise<RequestOut> => {
      const row = await ctx.db.dataSubjectRequest.findUnique({
        where: { id: input.id },
        select: {
          ...listSelect,
          extensionReason: true,
          identityCheck: true,
          closingNote: true,
          closedAt: true,
          createdBy: true,
          contact: {
            select: {
              id: true,
              email: true,
              firstName: true,
              lastName: true,
              phone: true,
              organization: true,
              status: true,
              objectedAt: true,
            },
          },
          events: { select: { id: true, at: true, kind: true, actor: true, details: true }, orderBy: [{ at: 'asc' }, { id: 'asc' }] },
          notices: {
            select: { id: true, processorId: true, change: true, status: true, sentAt: true, messageId: true },
            orderBy: { createdAt: 'asc' },
          },
        },
      });
      if (!row) throw new AppError('REQUEST_NOT_FOUND', 'There is no such request.', 'id');
      // The page shows the person's record: a read of their contact, audited like any other.
      if (row.contact) {
        const access = await assertContactVisible(ctx, row.contact.id);
        await auditContactRead(ctx, row.contact.id, access, 'requests.get', { requestId: row.id });
      }
      const processors = await ctx.db.processor.findMany({
        where: { id: { in: row.notices.map((n) => n.processorId) } },
        select: { id: true, name: true },
      });
      const names = new Map(processors.map((p) => [p.id, p.name]));
      const archives = await ctx.db.subjectArchive.findMany({
        where: { requestId: row.id },
        select: { producedAt: true, sha256: true },
        orderBy: { producedAt: 'asc' },
      });
      const identity = jsonObject(row.identityCheck);
      let erasure: RequestOut['erasure'] = null;
      if (row.type === 'erasure' && row.contactId !== null) {
        const status = await erasureStatus(ctx.temporal, row.contactId).catch(() => null);
        if (status) {
          erasure = {
            workflowStatus: status.status,
            verifiedAt: status.result?.verification.verifiedAt ?? null,
            clean: status.result?.verification.clean ?? null,
            hits: status.result?.verification.hits ?? [],
          };
        }
      }
      return {
        ...toListItem(row, new Date()),
        extendedDueAt: row.extendedDueAt?.toISOString() ?? null,
        extensionReason: row.extensionReason,
        latestExtension: latestExtensionFor(row.dueAt).toISOString(),
        identityCheck:
          typeof identity.method === 'string'
            ? { method: identity.method, verifiedAt: text(identity.verifiedAt), verifiedBy: text(identity.verifiedBy) }
            : null,
        closingNote: row.closingNote,
        closedAt: row.closedAt?.toISOString() ?? null,
        createdBy: row.createdBy,
        contact: row.contact ? { ...row.contact, objectedAt: row.contact.objectedAt?.toISOString() ?? null } : null,
        timeline: row.events.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          kind: e.kind,
          actor: e.actor,
          details: jsonObject(e.details),
        })),
        notices: row.notices.map((n) => ({
          id: n.id,
          processorId: n.processorId,
          processorName: names.get(n.processorId) ?? null,
          change: n.change,
          status: n.status,
          sentAt: n.sentAt?.toISOString() ?? null,
          messageId: n.messageId,
        })),
        archives: archives.map((a) => ({ producedAt: a.producedAt.toISOString(), sha256: a.sha256 })),
        erasure,
      };
    }),

  /** A request received by staff (a letter, a call, a mail to the DPO): the contact, the type, how the identity was checked. */
  create: procedureFor(...HANDLERS)
    .input(ZCreateRequestInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => createStaffRequest(ctx, input, `user:${ctx.user.id}`)),

  /** Staff confirm the identity of a web form request themselves (the person called back, say), matching it to a contact or none. */
  verify: procedureFor(...HANDLERS)
    .input(
      z.object({
        id: z.uuid('Not a request ID'),
        identityMethod: ZIdentityMethod.exclude(['email_verification']),
        contactId: z.uuid('Pick a contact').nullable(),
      }),
    )
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const actor = `user:${ctx.user.id}`;
      await ctx.db.$transaction(async (tx) => {
        const row = await lockOpenRequest(tx, input.id);
        if (row.status !== 'awaiting_verification') throw new AppError('REQUEST_STATUS_INVALID', 'This request is verified already.', 'id');
        if (input.contactId !== null) {
          const contact = await tx.contact.findUnique({ where: { id: input.contactId }, select: { status: true } });
          if (!contact || contact.status === 'erased') throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');
        }
        await tx.dataSubjectRequest.update({
          where: { id: input.id },
          data: {
            status: 'open',
            contactId: input.contactId,
            identityCheck: { method: input.identityMethod, verifiedAt: new Date().toISOString(), verifiedBy: actor },
          },
        });
        await recordEvent(tx, input.id, 'verified', actor, { method: input.identityMethod, matched: input.contactId !== null });
        await audit(tx, {
          actor,
          action: 'dsr.verify',
          entityType: 'data_subject_request',
          entityId: input.id,
          details: { method: input.identityMethod, contactId: input.contactId },
        });
      });
      await signalDsrUpdated(automationOf(ctx), input.id);
      return { id: input.id };
    }),

  /** Extend the period by at most two months past the original due date, with the reason (Art. 12(3)). */
  extend: procedureFor(...HANDLERS)
    .input(ZExtendRequestInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await extendRequest(ctx, input, `user:${ctx.user.id}`);
      return { id: input.id };
    }),

  setStatus: procedureFor(...HANDLERS)
    .input(ZSetStatusInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      // An erasure's verifier report is entered first, so that completing can rest on it.
      if (input.status === 'completed') await recordErasureReport(ctx, input.id);
      await setRequestStatus(ctx, input, `user:${ctx.user.id}`);
      return { id: input.id };
    }),

  /** Art. 18: restrict the contact at once; running workflows are told, recipients notified. */
  restrict: procedureFor(...HANDLERS)
    .input(ZRequestId)
    .output(z.object({ notices: z.number() }))
    .mutation(({ ctx, input }) => restrictContact(ctx, input.id, `user:${ctx.user.id}`)),

  /** Art. 21: record the objection, with immediate effect. */
  object: procedureFor(...HANDLERS)
    .input(ZRequestId)
    .output(z.object({ recorded: z.boolean() }))
    .mutation(({ ctx, input }) => recordObjection(ctx, input.id, `user:${ctx.user.id}`)),

  /** Art. 16: correct the contact's values; recipients notified. */
  rectify: procedureFor(...HANDLERS)
    .input(ZRectifyInput)
    .output(z.object({ changed: z.array(z.string()), notices: z.number() }))
    .mutation(({ ctx, input }) => rectifyContact(ctx, input, `user:${ctx.user.id}`)),

  /** Art. 17: erase the contact across every store (slice E's workflow); recipients notified. */
  erase: procedureFor(...HANDLERS)
    .input(ZEraseInput)
    .output(z.object({ started: z.enum(['started', 'already_started']), notices: z.number() }))
    .mutation(({ ctx, input }) => eraseContactForRequest(ctx, input, `user:${ctx.user.id}`)),

  /** Enter the erasure verifier's report on the timeline once the erasure has finished. */
  checkErasure: procedureFor(...HANDLERS)
    .input(ZRequestId)
    .output(z.object({ clean: z.boolean().nullable() }))
    .mutation(async ({ ctx, input }) => {
      // An unknown ID is NOT_FOUND, not "no report yet".
      if ((await ctx.db.dataSubjectRequest.count({ where: { id: input.id } })) === 0) {
        throw new AppError('REQUEST_NOT_FOUND', 'There is no such request.', 'id');
      }
      return { clean: (await recordErasureReport(ctx, input.id))?.clean ?? null };
    }),
});
