import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { isUniqueViolation, type Db, type Prisma } from '@zweck/db';
import {
  checkTemplate,
  exampleSystemValues,
  renderTemplate,
  REQUIRED_FOOTER,
  REQUIRED_MARKETING_PLACEHOLDERS,
  samplePersonalValues,
  SYSTEM_PLACEHOLDERS,
  type TemplateProblem,
  type TemplateSource,
} from '@zweck/mail/template-render';
import type { templateTestWorkflow } from '@zweck/workflows';
import { TASK_QUEUE, templateTestWorkflowId, type TemplateTestOutcome } from '@zweck/workflows/contracts';
import { audit } from '../../audit.ts';
import { loadFieldSealing, storedValues } from '../../contacts/fields.ts';
import { isFieldVisible, visibleFieldKeys } from '../../contacts/field-visibility.ts';
import { assertContactVisible, auditContactRead } from '../../contacts/read-access.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZCreateTemplateInput,
  ZPlaceholders,
  ZPreviewInput,
  ZPreviewOutput,
  ZTemplateDetail,
  ZTemplateId,
  ZTemplateListItem,
  ZTestSendInput,
  ZTestSendOutput,
  ZUpdateTemplateInput,
  type TemplateContent,
} from './templates.schema.ts';

/** Marketers write templates; admins may too; the DPO reads them (and previews what people would receive). */
const WRITERS = ['admin', 'marketer'] as const;
const READERS = ['admin', 'marketer', 'dpo'] as const;

const SYSTEM_LABELS: Record<(typeof SYSTEM_PLACEHOLDERS)[number], string> = {
  unsubscribe_url: 'Unsubscribe link',
  preferences_url: 'Preference center link',
  privacy_notice_url: 'Privacy notice link',
  imprint: 'Imprint',
};

const listSelect = {
  id: true,
  name: true,
  kind: true,
  subject: true,
  createdBy: true,
  updatedAt: true,
  _count: { select: { campaigns: true } },
} satisfies Prisma.TemplateSelect;

const detailSelect = { ...listSelect, html: true, text: true, createdAt: true } satisfies Prisma.TemplateSelect;

const withCount = <T extends { _count: { campaigns: number } }>({ _count, ...row }: T) => ({ ...row, campaignCount: _count.campaigns });

/** The fields a template may print: the catalogue's, except free text (notes are not for mail). */
async function personalFields(db: Pick<Db, 'fieldDefinition'>): Promise<{ key: string; label: string }[]> {
  return db.fieldDefinition.findMany({
    where: { type: { not: 'free_text' } },
    select: { key: true, label: true },
    orderBy: { key: 'asc' },
  });
}

const BODY_NAMES = { subject: 'subject', html: 'HTML body', text: 'text body' } as const;

/**
 * The check's problems for people: the missing footer placeholders of one body become one
 * sentence instead of four.
 */
function forPeople(problems: TemplateProblem[]): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  for (const problem of problems) {
    if (problem.code !== 'MISSING_REQUIRED_PLACEHOLDER') {
      out.push(problem);
      continue;
    }
    if (out.some((p) => p.code === problem.code && p.field === problem.field)) continue;
    const missing = problems.filter((p) => p.code === problem.code && p.field === problem.field).map((p) => `{{${p.placeholder}}}`);
    out.push({
      ...problem,
      message: `A marketing template needs ${missing.join(', ')} in its ${BODY_NAMES[problem.field]}, outside any section or comment: the imprint, the privacy notice, the preference center and the unsubscribe link.`,
    });
  }
  return out;
}

const problemsOut = (problems: TemplateProblem[]) => forPeople(problems).map((p) => ({ ...p, placeholder: p.placeholder ?? null }));

/** Refuses a template with problems, each beside its field (subject, html, text). */
async function checkOrThrow(db: Db, content: TemplateContent): Promise<void> {
  const fields = await personalFields(db);
  const result = checkTemplate(content, { personalKeys: fields.map((f) => f.key) });
  if (result.ok) return;
  const fieldErrors: Record<string, string[]> = {};
  const problems = forPeople(result.problems);
  for (const problem of problems) (fieldErrors[problem.field] ??= []).push(problem.message);
  const [first] = problems;
  throw new AppError('TEMPLATE_INVALID', `${first!.field}: ${first!.message}`, first!.field, fieldErrors);
}

async function sourceOf(db: Db, input: { templateId?: string; draft?: TemplateSource }): Promise<TemplateSource> {
  if (input.draft) return input.draft;
  const row = await db.template.findUnique({
    where: { id: input.templateId },
    select: { kind: true, subject: true, html: true, text: true },
  });
  if (!row) throw new AppError('TEMPLATE_NOT_FOUND', 'There is no such template.', 'templateId');
  return row;
}

const nameTaken = (name: string) => new AppError('TEMPLATE_NAME_TAKEN', `name: there is already a template called "${name}".`, 'name');

/** How long testSend waits for the worker before it answers "requested" (the mail still goes out). */
const TEST_SEND_WAIT_MS = 15_000;

async function awaitTestSend(temporal: Client, workflowId: string): Promise<TemplateTestOutcome | null> {
  const handle = temporal.workflow.getHandle<typeof templateTestWorkflow>(workflowId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TEST_SEND_WAIT_MS)));
  try {
    return await Promise.race([handle.result(), timeout]);
  } catch (error) {
    if (error instanceof WorkflowFailedError) return { outcome: 'failed', smtpResponse: 'the test send failed in the worker' };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export const templatesRouter = router({
  /** The placeholder palette: the fields a template may print, and the footer marketing needs. */
  placeholders: procedureFor(...READERS)
    .output(ZPlaceholders)
    .query(async ({ ctx }) => ({
      personal: await personalFields(ctx.db),
      system: SYSTEM_PLACEHOLDERS.map((key) => ({ key, label: SYSTEM_LABELS[key] })),
      requiredForMarketing: [...REQUIRED_MARKETING_PLACEHOLDERS],
      requiredFooter: { html: REQUIRED_FOOTER.html, text: REQUIRED_FOOTER.text },
    })),

  list: procedureFor(...READERS)
    .output(ZTemplateListItem.array())
    .query(async ({ ctx }) => {
      const rows = await ctx.db.template.findMany({ select: listSelect, orderBy: { updatedAt: 'desc' }, take: 500 });
      return rows.map(withCount);
    }),

  get: procedureFor(...READERS)
    .input(ZTemplateId)
    .output(ZTemplateDetail)
    .query(async ({ ctx, input }) => {
      const row = await ctx.db.template.findUnique({ where: { id: input.id }, select: detailSelect });
      if (!row) throw new AppError('TEMPLATE_NOT_FOUND', 'There is no such template.', 'id');
      return withCount(row);
    }),

  create: procedureFor(...WRITERS)
    .input(ZCreateTemplateInput)
    .output(ZTemplateId)
    .mutation(async ({ ctx, input }) => {
      await checkOrThrow(ctx.db, input);
      const id = randomUUID();
      try {
        await ctx.db.template.create({ data: { id, ...input, createdBy: `user:${ctx.user.id}` } });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name);
        throw error;
      }
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'template.create',
        entityType: 'template',
        entityId: id,
        details: { kind: input.kind },
      });
      return { id };
    }),

  update: procedureFor(...WRITERS)
    .input(ZUpdateTemplateInput)
    .output(ZTemplateId)
    .mutation(async ({ ctx, input }) => {
      const { id, ...content } = input;
      await checkOrThrow(ctx.db, content);
      try {
        const { count } = await ctx.db.template.updateMany({ where: { id }, data: content });
        if (count === 0) throw new AppError('TEMPLATE_NOT_FOUND', 'There is no such template.', 'id');
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name);
        throw error;
      }
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'template.update',
        entityType: 'template',
        entityId: id,
        details: { kind: input.kind },
      });
      return { id };
    }),

  delete: procedureFor(...WRITERS)
    .input(ZTemplateId)
    .output(ZTemplateId)
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(async (tx) => {
        const row = await tx.template.findUnique({ where: { id: input.id }, select: { _count: { select: { campaigns: true } } } });
        if (!row) throw new AppError('TEMPLATE_NOT_FOUND', 'There is no such template.', 'id');
        if (row._count.campaigns > 0) {
          throw new AppError('TEMPLATE_IN_USE', `${row._count.campaigns} campaign(s) use this template, so it cannot be deleted.`, 'id');
        }
        // The foreign key refuses the delete if a campaign was created in the meantime.
        await tx.template.delete({ where: { id: input.id } });
      });
      await audit(ctx.db, { actor: `user:${ctx.user.id}`, action: 'template.delete', entityType: 'template', entityId: input.id });
      return { id: input.id };
    }),

  /**
   * The message as a contact would receive it (or with example values), with example links in place
   * of the signed unsubscribe and preference links. Reading a sample contact's values is audited
   * like opening the contact (Art. 5(2), 32 GDPR). A mutation only for its transport: a draft's
   * bodies do not fit into the URL of a GET; it changes nothing but the audit log.
   */
  preview: procedureFor(...READERS)
    .input(ZPreviewInput)
    .output(ZPreviewOutput)
    .mutation(async ({ ctx, input }) => {
      const source = await sourceOf(ctx.db, input);
      const fields = await personalFields(ctx.db);
      const check = checkTemplate(source, { personalKeys: fields.map((f) => f.key) });
      const sample = input.sampleContactId === undefined ? 'example' : 'contact';
      // A draft with problems is not rendered, so no contact's data is read for it.
      if (!check.ok) return { rendered: null, problems: problemsOut(check.problems), sample };
      let personal: Record<string, string | null> = samplePersonalValues(fields, ctx.user.displayName);
      if (input.sampleContactId !== undefined) {
        // Need to know as for opening the contact (a marketer gives a reason first); the read is audited.
        const access = await assertContactVisible(ctx, input.sampleContactId).catch((error: unknown) => {
          throw error instanceof AppError && error.code === 'CONTACT_NOT_FOUND'
            ? new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'sampleContactId')
            : error;
        });
        const contact = await ctx.db.contact.findFirst({
          where: { id: input.sampleContactId, status: { not: 'erased' } },
          select: { id: true, email: true, firstName: true, lastName: true, phone: true, organization: true, attributes: true },
        });
        if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'sampleContactId');
        await auditContactRead(ctx, contact.id, access, 'templates.preview');
        const values = storedValues(contact, await loadFieldSealing(ctx.db, ctx.env.FIELD_ENCRYPTION_KEYS));
        // A field the role does not see renders empty, as for a contact without it (field-level need-to-know).
        const visible = await visibleFieldKeys(ctx.db, ctx.user.role);
        personal = Object.fromEntries(fields.map((f) => [f.key, isFieldVisible(visible, f.key) ? (values[f.key] ?? null) : null]));
      }
      const rendered = renderTemplate(source, {
        personal: Object.fromEntries(fields.map((f) => [f.key, personal[f.key] ?? null])),
        system: exampleSystemValues({ privacyNoticeUrl: ctx.env.PRIVACY_NOTICE_URL }),
      });
      return { rendered, problems: [], sample };
    }),

  /**
   * Mail the template to the signed-in user's own address, marked "[Test]". The API never holds
   * the mail transport: a workflow does it, and its activity asks the policy first.
   */
  testSend: procedureFor(...WRITERS)
    .input(ZTestSendInput)
    .output(ZTestSendOutput)
    .mutation(async ({ ctx, input }) => {
      const source = await sourceOf(ctx.db, input);
      await checkOrThrow(ctx.db, source);
      const workflowId = templateTestWorkflowId(ctx.user.id, randomUUID());
      await ctx.temporal.workflow.start<typeof templateTestWorkflow>('templateTestWorkflow', {
        taskQueue: ctx.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
        workflowId,
        args: [
          {
            version: 1,
            userId: ctx.user.id,
            templateId: input.templateId ?? null,
            draft: input.draft ? { kind: source.kind, subject: source.subject, html: source.html, text: source.text } : null,
          },
        ],
      });
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'template.test.request',
        entityType: 'template',
        entityId: input.templateId ?? null,
        details: { workflowId },
      });
      const outcome = await awaitTestSend(ctx.temporal, workflowId);
      const to = ctx.user.email;
      if (outcome === null) return { status: 'requested', to, detail: 'The worker has not sent it yet; it will arrive shortly.' };
      switch (outcome.outcome) {
        case 'sent':
          return { status: 'sent', to, detail: null };
        case 'skipped':
          return { status: 'skipped', to, detail: `The policy refused: ${outcome.reasonCodes.join(', ')}` };
        case 'failed':
          return { status: 'failed', to, detail: outcome.smtpResponse };
        case 'invalid':
          return {
            status: 'failed',
            to,
            detail: `The template has problems: ${outcome.problems.map((p) => `${p.field} ${p.code}`).join(', ')}`,
          };
        case 'user_gone':
        case 'template_gone':
          return {
            status: 'failed',
            to,
            detail: outcome.outcome === 'user_gone' ? 'Your account is inactive.' : 'The template was deleted.',
          };
      }
    }),
});
