import { useMutation } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import type { JourneyDefinition, JourneyStepType } from '@zweck/journeys';
import { useCallback, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { appCodeOf, describeError, fieldErrorsOf } from '../../lib/errors.ts';
import { shorten } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { purposeName, usePurposes } from '../purposes/use-purposes.ts';
import { DesignerCanvas, type CanvasNames } from './designer-canvas.tsx';
import { newStep, removeSteps, updateStep } from './journey-graph.ts';
import { EXIT_REASONS, JOURNEY_STATUS, STEP_TYPES, triggerSummary, type Journey, type JourneyIssue } from './journey-labels.ts';
import { JourneySettingsPanel } from './journey-settings-panel.tsx';
import { StepPanel } from './step-panel.tsx';
import './journeys.css';
import { invalidateJourneys, useJourney, useJourneyStats, useLiveIssues, useSegmentChoices, useTemplateChoices } from './use-journeys.ts';

export function JourneyDesignerPage() {
  const { id = '' } = useParams();
  const journey = useJourney(id);
  const purposes = usePurposes();
  const segments = useSegmentChoices();
  const templates = useTemplateChoices();

  if (journey.isPending) return <Loading label="Loading the journey…" />;
  if (journey.isError) {
    return (
      <RecordLoadError
        noun="Journey"
        error={journey.error}
        notFoundCode="JOURNEY_NOT_FOUND"
        back={<Link to="/journeys">Back to journeys</Link>}
        onRetry={() => void journey.refetch()}
      />
    );
  }
  const failed = [purposes, segments, templates].find((q) => q.isError);
  if (failed)
    return <ErrorNotice title="The designer’s choices could not be loaded" error={failed.error} onRetry={() => void failed.refetch()} />;
  if (!purposes.data || !segments.data || !templates.data) return <Loading label="Loading purposes, segments and templates…" />;
  return (
    <ReactFlowProvider>
      <Designer key={journey.data.id} journey={journey.data} purposes={purposes.data} segments={segments.data} templates={templates.data} />
    </ReactFlowProvider>
  );
}

type Purposes = NonNullable<ReturnType<typeof usePurposes>['data']>;
type Segments = NonNullable<ReturnType<typeof useSegmentChoices>['data']>;
type Templates = NonNullable<ReturnType<typeof useTemplateChoices>['data']>;

interface Refusal {
  message: string;
  /** The API's issues by step (`step:<id>`) or by the journey's field. */
  byKey: [string, string[]][];
}

function Designer({
  journey,
  purposes,
  segments,
  templates,
}: {
  journey: Journey;
  purposes: Purposes;
  segments: Segments;
  templates: Templates;
}) {
  const user = useSessionUser();
  const canWrite = can(user.role, 'journeys.write');
  const readOnly = !canWrite || journey.status === 'archived';
  const [definition, setDefinition] = useState<JourneyDefinition>(journey.draft);
  const [meta, setMeta] = useState({ name: journey.name, description: journey.description });
  const [isDirty, setDirty] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [published, setPublished] = useState<number | null>(null);
  const [statsVersionId, setStatsVersionId] = useState<string | undefined>(journey.versions[0]?.id);
  const [paletteNote, setPaletteNote] = useState<string | null>(null);

  const live = useLiveIssues(definition);
  const issues: readonly JourneyIssue[] = live.issues ?? journey.issues;
  const stats = useJourneyStats(journey.id, statsVersionId, statsVersionId !== undefined);
  const shownStats = stats.data?.versions.find((v) => v.versionId === statsVersionId) ?? null;

  const save = useMutation(trpc.journeys.updateDraft.mutationOptions());
  const publish = useMutation(trpc.journeys.publish.mutationOptions());
  const pause = useMutation(trpc.journeys.pause.mutationOptions());
  const resume = useMutation(trpc.journeys.resume.mutationOptions());
  const archive = useMutation(trpc.journeys.archive.mutationOptions());
  const busy = save.isPending || publish.isPending || pause.isPending || resume.isPending || archive.isPending;
  const lifecycleError = [pause, resume, archive].find((m) => m.isError)?.error;

  const edit = useCallback((change: (d: JourneyDefinition) => JourneyDefinition) => {
    setDefinition((current) => {
      const next = change(current);
      if (next !== current) setDirty(true);
      return next;
    });
    setRefusal(null);
    setPublished(null);
  }, []);

  const purposeById = useMemo(() => new Map(purposes.map((p) => [p.id, p])), [purposes]);
  const names = useMemo<CanvasNames>(
    () => ({
      purpose: (pid) => purposeName(purposeById, pid),
      template: (tid) => templates.find((t) => t.id === tid)?.name ?? 'A template that is gone',
    }),
    [purposeById, templates],
  );
  const issueCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const issue of issues) if (issue.stepId) counts.set(issue.stepId, (counts.get(issue.stepId) ?? 0) + 1);
    return counts;
  }, [issues]);
  const counts = useMemo(
    () => (shownStats ? new Map(shownStats.atStep.flatMap((s) => (s.stepId ? [[s.stepId, s.count] as const] : []))) : null),
    [shownStats],
  );
  const selected = definition.steps.find((s) => s.id === selectedId) ?? null;
  const journeyMeta = useMemo(() => ({ name: meta.name, description: meta.description }), [meta.name, meta.description]);

  async function saveDraft(): Promise<boolean> {
    try {
      await save.mutateAsync({ id: journey.id, name: meta.name, description: meta.description, draft: definition });
      setDirty(false);
      await invalidateJourneys();
      return true;
    } catch {
      return false;
    }
  }

  async function onPublish(): Promise<void> {
    setRefusal(null);
    setPublished(null);
    if (isDirty && !(await saveDraft())) return;
    try {
      const { version } = await publish.mutateAsync({ id: journey.id });
      setPublished(version.number);
      setStatsVersionId(version.id);
      await invalidateJourneys();
    } catch (error) {
      if (appCodeOf(error) === 'JOURNEY_NOT_PUBLISHABLE') {
        const byKey = Object.entries(fieldErrorsOf(error) ?? {}).map(([key, messages]) => [key, messages ?? []] as [string, string[]]);
        setRefusal({ message: describeError(error), byKey });
      } else {
        setRefusal({ message: describeError(error), byKey: [] });
      }
    }
  }

  function addStep(type: JourneyStepType): void {
    const step = newStep(definition, type, { purposeId: definition.purposeId, templateId: templates[0]?.id ?? null });
    if (!step) {
      setPaletteNote('A send step needs a template: write one under Templates first.');
      return;
    }
    setPaletteNote(null);
    edit((d) => ({ ...d, steps: [...d.steps, step] }));
    setSelectedId(step.id);
  }

  const status = JOURNEY_STATUS[journey.status];
  const segmentName = (sid: string) => segments.find((s) => s.id === sid)?.name ?? 'a segment that is gone';

  return (
    <>
      <title>{`${journey.name} · Journeys · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/journeys">Journeys</Link> <span aria-hidden="true">/</span> <span aria-current="page">{journey.name}</span>
      </nav>
      <PageHeader
        title={journey.name}
        subtitle={`${triggerSummary(definition.trigger, { segment: segmentName, purpose: names.purpose })} · under ${names.purpose(definition.purposeId)}`}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <Badge tone={status.tone} title={status.hint}>
                  {status.label}
                </Badge>
              </dd>
            </div>
            <div>
              <dt>Published</dt>
              <dd>{journey.versions[0] ? `Version ${journey.versions[0].number}` : 'Not yet'}</dd>
            </div>
            <div>
              <dt>Draft</dt>
              <dd>{isDirty ? 'Unsaved changes' : journey.hasUnpublishedChanges ? 'Saved, not published' : 'Saved'}</dd>
            </div>
          </dl>
        }
        actions={
          readOnly ? null : (
            <>
              <button type="button" className="button button-secondary" disabled={busy || !isDirty} onClick={() => void saveDraft()}>
                {save.isPending ? 'Saving…' : 'Save draft'}
              </button>
              <button type="button" className="button button-primary" disabled={busy} onClick={() => void onPublish()}>
                {publish.isPending ? 'Publishing…' : 'Publish'}
              </button>
              {journey.status === 'active' ? (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={busy}
                  onClick={() => void pause.mutateAsync({ id: journey.id }).then(invalidateJourneys)}
                >
                  Pause
                </button>
              ) : null}
              {journey.status === 'paused' ? (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={busy}
                  onClick={() => void resume.mutateAsync({ id: journey.id }).then(invalidateJourneys)}
                >
                  Resume
                </button>
              ) : null}
              <button
                type="button"
                className="button button-secondary"
                disabled={busy}
                onClick={() => {
                  if (window.confirm('Archive this journey for good? Nobody new enters; contacts in it finish their version.')) {
                    void archive.mutateAsync({ id: journey.id }).then(invalidateJourneys);
                  }
                }}
              >
                Archive
              </button>
            </>
          )
        }
      />

      {save.isError ? <ErrorNotice title="The draft was not saved" error={save.error} /> : null}
      {lifecycleError ? <ErrorNotice title="The status was not changed" error={lifecycleError} /> : null}
      {published !== null ? (
        <Notice tone="success" title={`Version ${published} published`}>
          <p>New contacts enter version {published}; contacts already in the journey finish the version they entered.</p>
        </Notice>
      ) : null}
      {refusal ? <RefusalNotice refusal={refusal} steps={definition.steps} onSelect={setSelectedId} /> : null}
      {journey.status === 'paused' ? (
        <Notice tone="warning" title="Paused">
          <p>Nobody new enters while the journey is paused; contacts already in it continue.</p>
        </Notice>
      ) : null}

      <div className="journey-workspace">
        <div className="journey-board">
          {readOnly ? null : (
            <div className="journey-palette" role="toolbar" aria-label="Add a step">
              {STEP_TYPES.map((t) => (
                <button
                  key={t.type}
                  type="button"
                  className={`journey-palette-item journey-palette-${t.type}`}
                  title={t.hint}
                  onClick={() => addStep(t.type)}
                >
                  + {t.label}
                </button>
              ))}
            </div>
          )}
          {paletteNote ? <p className="field-error">{paletteNote}</p> : null}
          <DesignerCanvas
            definition={definition}
            names={names}
            selectedId={selectedId}
            counts={counts}
            issueCounts={issueCounts}
            readOnly={readOnly}
            onChange={edit}
            onSelect={setSelectedId}
          />
          <p className="small muted journey-canvas-help">
            Drag from a step’s lower handle to another step to connect them; select a step or a connection and press Delete to remove it.
            {counts ? ` Figures on the steps: contacts there now (version ${shownStats?.number}).` : ''}
          </p>
        </div>
        <aside className="journey-side card" aria-label={selected ? 'Selected step' : 'Journey settings'}>
          {selected ? (
            <StepPanel
              key={selected.id}
              step={selected}
              choices={{ purposes, templates, steps: definition.steps }}
              isEntry={selected.id === definition.entryStepId}
              issues={issues.filter((i) => i.stepId === selected.id)}
              readOnly={readOnly}
              onApply={(step) => edit((d) => updateStep(d, step))}
              onDelete={() => {
                edit((d) => removeSteps(d, [selected.id]));
                setSelectedId(null);
              }}
              onMakeEntry={() => edit((d) => ({ ...d, entryStepId: selected.id }))}
            />
          ) : (
            <JourneySettingsPanel
              journey={journeyMeta}
              draft={definition}
              purposes={purposes}
              segments={segments}
              issues={issues.filter((i) => i.stepId === null)}
              readOnly={readOnly}
              onApply={(nextMeta, draft) => {
                setMeta(nextMeta);
                setDirty(true);
                edit(() => draft);
              }}
            />
          )}
        </aside>
      </div>

      <div className="journey-panels">
        <IssuesPanel issues={issues} isChecking={live.isChecking} steps={definition.steps} onSelect={setSelectedId} />
        <VersionsPanel journey={journey} shownVersionId={statsVersionId} onShow={setStatsVersionId} />
      </div>
      {journey.versions.length > 0 ? (
        <Section
          id="journey-exits"
          title="Where contacts left"
          description={
            shownStats ? `Version ${shownStats.number}: ${shownStats.active} in the journey now, ${shownStats.exited} left.` : undefined
          }
        >
          {stats.isError ? (
            <ErrorNotice title="The figures could not be loaded" error={stats.error} onRetry={() => void stats.refetch()} />
          ) : !shownStats ? (
            <Loading label="Loading the figures…" />
          ) : (
            <DataTable
              columns={['Step', 'Why', { label: 'Contacts', className: 'numeric' }]}
              rows={shownStats.exits}
              caption="Exits by step and reason"
              empty={<EmptyState title="Nobody has left this version yet." />}
            >
              {(row) => (
                <tr key={`${row.stepId}-${row.reason}`}>
                  <td>{stepName(definition, row.stepId)}</td>
                  <td>{EXIT_REASONS[row.reason ?? ''] ?? row.reason ?? '—'}</td>
                  <td className="numeric">{row.count.toLocaleString('en-GB')}</td>
                </tr>
              )}
            </DataTable>
          )}
        </Section>
      ) : null}
    </>
  );
}

const stepName = (definition: JourneyDefinition, id: string | null): string => {
  if (id === null) return '—';
  const step = definition.steps.find((s) => s.id === id);
  return step?.label?.trim() || id;
};

function RefusalNotice({
  refusal,
  steps,
  onSelect,
}: {
  refusal: Refusal;
  steps: JourneyDefinition['steps'];
  onSelect: (id: string) => void;
}) {
  return (
    <div className="notice notice-error journey-refusal" role="alert">
      <p className="notice-title">Not published</p>
      <p>{refusal.message}</p>
      {refusal.byKey.length > 0 ? (
        <ul className="journey-refusal-list">
          {refusal.byKey.map(([key, messages]) => {
            const stepId = key.startsWith('step:') ? key.slice('step:'.length) : null;
            const step = stepId ? steps.find((s) => s.id === stepId) : undefined;
            return (
              <li key={key}>
                {stepId ? (
                  <button type="button" className="button-link" onClick={() => onSelect(stepId)}>
                    {step?.label?.trim() || stepId}
                  </button>
                ) : (
                  <strong>Journey</strong>
                )}
                <ul>
                  {messages.map((m, i) => (
                    <li key={i}>{m}</li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

function IssuesPanel({
  issues,
  isChecking,
  steps,
  onSelect,
}: {
  issues: readonly JourneyIssue[];
  isChecking: boolean;
  steps: JourneyDefinition['steps'];
  onSelect: (id: string | null) => void;
}) {
  return (
    <Section
      id="journey-issues"
      title="Validation"
      description="What stops publishing: the graph, the catalogue, and the policy’s answer for the best case of a contact."
      actions={isChecking ? <span className="small muted">Checking…</span> : null}
    >
      {issues.length === 0 ? (
        <p className="journey-ok" role="status">
          No issues: the journey can be published.
        </p>
      ) : (
        <ul className="journey-issues" aria-label="Issues">
          {issues.map((issue, i) => {
            const step = issue.stepId ? steps.find((s) => s.id === issue.stepId) : undefined;
            return (
              <li key={`${issue.code}-${issue.stepId}-${i}`} className="journey-issue">
                <button type="button" className="journey-issue-button" onClick={() => onSelect(issue.stepId)}>
                  <span className="reason-code">{issue.code}</span>
                  <span className="journey-issue-where">{issue.stepId ? step?.label?.trim() || issue.stepId : 'Journey'}</span>
                  <span className="journey-issue-message">{issue.message}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function VersionsPanel({
  journey,
  shownVersionId,
  onShow,
}: {
  journey: Journey;
  shownVersionId: string | undefined;
  onShow: (id: string) => void;
}) {
  return (
    <Section
      id="journey-versions"
      title="Versions"
      description="Each publish freezes the draft as a new version; contacts finish the version they entered."
    >
      <DataTable
        columns={['Version', 'Published', 'Fingerprint', '']}
        rows={journey.versions}
        caption="Published versions, newest first"
        className="table-compact"
        empty={<EmptyState title="Not published yet." />}
      >
        {(v) => (
          <tr key={v.id} className={v.id === shownVersionId ? 'row-highlight' : undefined}>
            <td className="nowrap">Version {v.number}</td>
            <td className="small nowrap">
              <Time value={v.publishedAt} />
            </td>
            <td className="mono small" title={v.definitionHash}>
              {shorten(v.definitionHash)}
            </td>
            <td>
              {v.id === shownVersionId ? (
                <span className="small muted">Figures shown</span>
              ) : (
                <button type="button" className="button button-secondary button-small" onClick={() => onShow(v.id)}>
                  Show figures
                </button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}
