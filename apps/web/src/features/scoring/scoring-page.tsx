import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { CheckboxField, FormServerError, SelectField, showServerError, TextField } from '../../components/form-fields.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { label } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { useDebouncedValue } from '../../lib/use-debounced-value.ts';
import { useFieldCatalogue } from '../contacts/use-field-catalogue.ts';
import {
  INTERACTION_KINDS,
  ZRuleForm,
  ZSettingsForm,
  type RuleFormInput,
  type RuleFormOutput,
  type SettingsFormInput,
  type SettingsFormOutput,
} from './scoring-form.schema.ts';

type Rule = RouterOutputs['scoring']['listRules'][number];
type Settings = RouterOutputs['scoring']['getSettings'];

const RULE_FIELDS = ['name', 'sourceType', 'match', 'points', 'halfLifeDays', 'isActive'] as const;
type RuleField = (typeof RULE_FIELDS)[number];
const SETTINGS_FIELDS = ['threshold', 'dueHours', 'assignmentMode', 'territoryFieldKey'] as const;
type SettingsField = (typeof SETTINGS_FIELDS)[number];

const invalidateScoring = () => queryClient.invalidateQueries(trpc.scoring.pathFilter());

export function ScoringPage() {
  return (
    <>
      <title>Lead scoring · Zweck</title>
      <PageHeader
        title="Lead scoring"
        subtitle="Rules that turn what people do into points, the threshold at which a lead goes to sales, and how its owner is chosen. Only contacts who consented to interest scoring are scored; every change asks the policy and is recorded."
      />
      <RulesSection />
      <div className="grid-2">
        <SettingsSection />
        <RepsSection />
      </div>
      <HandOffSection />
    </>
  );
}

function RulesSection() {
  const rules = useQuery(trpc.scoring.listRules.queryOptions());
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const remove = useMutation(trpc.scoring.deleteRule.mutationOptions({ onSuccess: invalidateScoring }));
  return (
    <Section
      id="rules"
      title="Scoring rules"
      description="An interaction (a click, an attended event, a form) or an event sent through the API earns points; points halve every half-life."
      actions={
        editing === null ? (
          <button type="button" className="button button-primary button-small" onClick={() => setEditing('new')}>
            New rule
          </button>
        ) : null
      }
    >
      {editing !== null ? (
        <RuleForm key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
      ) : null}
      {rules.isPending ? (
        <Loading label="Loading the rules…" />
      ) : rules.isError ? (
        <ErrorNotice title="The rules could not be loaded" error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <DataTable
          columns={['Rule', 'Counts', { label: 'Points', className: 'numeric' }, 'Half-life', 'Status', '']}
          rows={rules.data}
          caption="Scoring rules"
          empty={<EmptyState title="No scoring rules yet: nobody is scored." />}
        >
          {(rule) => (
            <tr key={rule.id}>
              <td>{rule.name}</td>
              <td>
                {rule.sourceType === 'interaction' ? label(rule.match) : <code>{rule.match}</code>}
                <span className="small muted block">{rule.sourceType === 'interaction' ? 'Interaction' : 'API event'}</span>
              </td>
              <td className="numeric">{rule.points > 0 ? `+${rule.points}` : rule.points}</td>
              <td>{rule.halfLifeDays === null ? <span className="muted">Never decays</span> : `${rule.halfLifeDays} days`}</td>
              <td>{rule.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="muted">Paused</Badge>}</td>
              <td className="nowrap">
                <button type="button" className="button button-secondary button-small" onClick={() => setEditing(rule)}>
                  Edit
                </button>{' '}
                <button
                  type="button"
                  className="button button-secondary button-small"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ id: rule.id })}
                  aria-label={`Delete the rule ${rule.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          )}
        </DataTable>
      )}
      {remove.isError ? <ErrorNotice title="The rule could not be deleted" error={remove.error} /> : null}
    </Section>
  );
}

function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const form = useForm<RuleFormInput, unknown, RuleFormOutput>({
    resolver: zodResolver(ZRuleForm),
    defaultValues: rule
      ? { ...rule, points: String(rule.points), halfLifeDays: rule.halfLifeDays === null ? '' : String(rule.halfLifeDays) }
      : { name: '', sourceType: 'interaction', match: 'clicked', points: '10', halfLifeDays: '30', isActive: true },
  });
  const { register, handleSubmit, setError, formState } = form;
  const isPath = (p: string): p is RuleField => (RULE_FIELDS as readonly string[]).includes(p);
  const onError = (error: unknown) => showServerError(setError, error, isPath);
  const onSuccess = async () => {
    await invalidateScoring();
    onDone();
  };
  const create = useMutation(trpc.scoring.createRule.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.scoring.updateRule.mutationOptions({ onSuccess, onError }));
  const sourceType = useWatch({ control: form.control, name: 'sourceType' });
  const errors = formState.errors;
  return (
    <form
      className="form form-card"
      noValidate
      aria-label={rule ? `Edit the rule ${rule.name}` : 'New scoring rule'}
      onSubmit={(e) => void handleSubmit((values) => (rule ? update.mutate({ id: rule.id, values }) : create.mutate(values)))(e)}
    >
      <FormServerError title="The rule was not saved" error={errors.root?.server} />
      <TextField id="rule-name" label="Name" required registration={register('name')} error={errors.name} />
      <div className="field-row">
        <SelectField id="rule-source" label="Counts" registration={register('sourceType')} error={errors.sourceType}>
          <option value="interaction">An interaction</option>
          <option value="event">An event sent through the API</option>
        </SelectField>
        {sourceType === 'interaction' ? (
          <SelectField id="rule-match" label="Interaction" registration={register('match')} error={errors.match}>
            {INTERACTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {label(k)}
              </option>
            ))}
          </SelectField>
        ) : (
          <TextField id="rule-match" label="Event name" hint="e.g. demo.requested" registration={register('match')} error={errors.match} />
        )}
      </div>
      <div className="field-row">
        <TextField
          id="rule-points"
          label="Points"
          hint="Negative points lower the score"
          required
          registration={register('points')}
          error={errors.points}
        />
        <TextField
          id="rule-half-life"
          label="Half-life in days"
          hint="Empty: the points never decay"
          registration={register('halfLifeDays')}
          error={errors.halfLifeDays}
        />
      </div>
      <CheckboxField id="rule-active" label="Active" registration={register('isActive')} error={errors.isActive} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending || update.isPending}>
          {create.isPending || update.isPending ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}
        </button>
        <button type="button" className="button button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SettingsSection() {
  const settings = useQuery(trpc.scoring.getSettings.queryOptions());
  return (
    <Section
      id="handoff-settings"
      title="Handoff to sales"
      description="When a score reaches the threshold, the lead goes to a sales rep, who has the given hours to answer before the manager is told."
    >
      {settings.isPending ? (
        <Loading label="Loading the settings…" />
      ) : settings.isError ? (
        <ErrorNotice title="The settings could not be loaded" error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <SettingsForm key={settings.data.updatedAt.toString()} settings={settings.data} />
      )}
    </Section>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const fields = useFieldCatalogue();
  const form = useForm<SettingsFormInput, unknown, SettingsFormOutput>({
    resolver: zodResolver(ZSettingsForm),
    defaultValues: {
      threshold: String(settings.threshold),
      dueHours: String(settings.dueHours),
      assignmentMode: settings.assignmentMode,
      territoryFieldKey: settings.territoryFieldKey ?? '',
    },
  });
  const { register, handleSubmit, setError, formState } = form;
  const isPath = (p: string): p is SettingsField => (SETTINGS_FIELDS as readonly string[]).includes(p);
  const assignmentMode = useWatch({ control: form.control, name: 'assignmentMode' });
  const save = useMutation(
    trpc.scoring.updateSettings.mutationOptions({
      onSuccess: invalidateScoring,
      onError: (error) => showServerError(setError, error, isPath),
    }),
  );
  const errors = formState.errors;
  return (
    <form className="form" noValidate aria-label="Handoff settings" onSubmit={(e) => void handleSubmit((values) => save.mutate(values))(e)}>
      <FormServerError title="The settings were not saved" error={errors.root?.server} />
      {save.isSuccess ? (
        <Notice tone="success">
          <p>Saved.</p>
        </Notice>
      ) : null}
      <div className="field-row">
        <TextField id="threshold" label="Threshold (points)" required registration={register('threshold')} error={errors.threshold} />
        <TextField id="due-hours" label="Hours to answer" required registration={register('dueHours')} error={errors.dueHours} />
      </div>
      <SelectField id="assignment-mode" label="Owner" registration={register('assignmentMode')} error={errors.assignmentMode}>
        <option value="round_robin">Round robin over the active reps</option>
        <option value="territory">By territory (round robin inside it)</option>
      </SelectField>
      {assignmentMode === 'territory' ? (
        <SelectField
          id="territory-field"
          label="Territory field"
          registration={register('territoryFieldKey')}
          error={errors.territoryFieldKey}
        >
          <option value="">Choose a field…</option>
          {(fields.data ?? [])
            .filter((f) => f.type !== 'free_text')
            .map((f) => (
              <option key={f.key} value={f.key}>
                {f.label}
              </option>
            ))}
        </SelectField>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <span className="small muted">
          Last changed <Time value={settings.updatedAt} />
        </span>
      </div>
    </form>
  );
}

function RepsSection() {
  const reps = useQuery(trpc.scoring.listReps.queryOptions());
  return (
    <Section id="reps" title="Sales reps" description="Who receives leads, their territories and their open leads.">
      <RepForm />
      {reps.isPending ? (
        <Loading label="Loading the reps…" />
      ) : reps.isError ? (
        <ErrorNotice title="The reps could not be loaded" error={reps.error} onRetry={() => void reps.refetch()} />
      ) : (
        <DataTable
          columns={['Rep', 'Territories', { label: 'Open', className: 'numeric' }, 'Last lead']}
          rows={reps.data}
          className="table-compact"
          framed={false}
          caption="Sales reps"
          empty={<EmptyState title="No sales reps: handoffs find no owner and the administrators are told." />}
        >
          {(rep) => (
            <tr key={rep.userId}>
              <td>
                {rep.displayName} {rep.isActive ? null : <Badge tone="muted">Inactive</Badge>}
                {rep.managerName ? <span className="small muted block">Manager: {rep.managerName}</span> : null}
              </td>
              <td>{rep.territories.length > 0 ? rep.territories.join(', ') : <span className="muted">—</span>}</td>
              <td className="numeric">{rep.openLeads}</td>
              <td className="nowrap small">
                <Time value={rep.lastAssignedAt} />
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </Section>
  );
}

function HandOffSection() {
  const [search, setSearch] = useState('');
  const debounced = useDebouncedValue(search.trim(), 300);
  const contacts = useQuery({ ...trpc.contacts.list.queryOptions({ search: debounced, limit: 8 }), enabled: debounced.length >= 2 });
  const [handedOff, setHandedOff] = useState<string[]>([]);
  const handOff = useMutation(
    trpc.scoring.handOff.mutationOptions({
      onSuccess: async (_data, variables) => {
        setHandedOff((ids) => [...ids, variables.contactId]);
        await invalidateScoring();
      },
    }),
  );
  return (
    <Section
      id="manual-handoff"
      title="Hand a contact to sales"
      description="Starts the same handoff as a threshold crossing: the policy is asked, an owner assigned and notified."
    >
      <div className="field field-inline">
        <label htmlFor="handoff-search">Find a contact</label>
        <input
          id="handoff-search"
          type="search"
          value={search}
          placeholder="Name, organization or address"
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {handOff.isError ? <ErrorNotice title="The handoff was not started" error={handOff.error} /> : null}
      {debounced.length >= 2 && contacts.data ? (
        <DataTable
          columns={['Contact', 'Stage', '']}
          rows={contacts.data}
          className="table-compact"
          caption="Matching contacts"
          empty={<EmptyState title="No contact matches." />}
        >
          {(c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/contacts/${c.id}`}>{[c.firstName, c.lastName].filter(Boolean).join(' ') || c.email}</Link>
                <span className="small muted block">{c.email}</span>
              </td>
              <td>{label(c.lifecycleStage)}</td>
              <td className="nowrap">
                {handedOff.includes(c.id) ? (
                  <Badge tone="success">Handed off</Badge>
                ) : (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={handOff.isPending}
                    onClick={() => handOff.mutate({ contactId: c.id })}
                  >
                    Hand off to sales
                  </button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      ) : null}
    </Section>
  );
}

interface RepFormValues {
  userId: string;
  territories: string;
  managerId: string;
  isActive: boolean;
}

/** Make a sales user a rep, or change a rep's territories, manager and availability. */
function RepForm() {
  const users = useQuery(trpc.scoring.listSalesUsers.queryOptions());
  const form = useForm<RepFormValues>({ defaultValues: { userId: '', territories: '', managerId: '', isActive: true } });
  const { register, handleSubmit, setError, formState, reset } = form;
  const isPath = (p: string): p is 'userId' | 'managerId' => p === 'userId' || p === 'managerId';
  const save = useMutation(
    trpc.scoring.saveRep.mutationOptions({
      onSuccess: async () => {
        reset();
        await invalidateScoring();
      },
      onError: (error) => showServerError(setError, error, isPath),
    }),
  );
  const errors = formState.errors;
  const options = users.data ?? [];
  return (
    <form
      className="form rep-form"
      noValidate
      aria-label="Add or change a sales rep"
      onSubmit={(e) =>
        void handleSubmit((v) =>
          save.mutate({
            userId: v.userId,
            territories: v.territories
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
            managerId: v.managerId === '' ? null : v.managerId,
            isActive: v.isActive,
          }),
        )(e)
      }
    >
      <FormServerError title="The rep was not saved" error={errors.root?.server} />
      <div className="field-row">
        <SelectField
          id="rep-user"
          label="Sales user"
          registration={register('userId', { required: 'Choose a sales user' })}
          error={errors.userId}
        >
          <option value="">Choose…</option>
          {options.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName}
              {u.isRep ? ' (rep)' : ''}
            </option>
          ))}
        </SelectField>
        <SelectField id="rep-manager" label="Manager" registration={register('managerId')} error={errors.managerId}>
          <option value="">None</option>
          {options.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName}
            </option>
          ))}
        </SelectField>
      </div>
      <TextField
        id="rep-territories"
        label="Territories"
        hint="Values of the territory field, separated by commas"
        registration={register('territories')}
        error={errors.territories}
      />
      <CheckboxField id="rep-active" label="Takes new leads" registration={register('isActive')} error={errors.isActive} />
      <div className="form-actions">
        <button type="submit" className="button button-secondary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save rep'}
        </button>
      </div>
    </form>
  );
}
