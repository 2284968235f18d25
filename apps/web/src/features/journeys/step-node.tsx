import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { linksOf, type JourneyStep } from '@zweck/journeys';
import { HANDLE_LABELS } from './journey-graph.ts';
import { stepTypeLabel } from './journey-labels.ts';

export interface StepNodeData extends Record<string, unknown> {
  step: JourneyStep;
  summary: string;
  isEntry: boolean;
  /** Contacts standing at this step now (of the version shown); null: no statistics shown. */
  count: number | null;
  issueCount: number;
}

export type StepNodeType = Node<StepNodeData, 'step'>;

/** One step on the canvas: its type, label and summary, a handle in, and one handle out per reference. */
export function StepNode({ data, selected }: NodeProps<StepNodeType>) {
  const { step, summary, isEntry, count, issueCount } = data;
  const links = linksOf(step);
  const classes = ['journey-node', `journey-node-${step.type}`, selected ? 'is-selected' : '', issueCount > 0 ? 'has-issues' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} data-step-id={step.id} aria-label={`Step ${step.label ?? step.id}`}>
      <Handle type="target" position={Position.Top} className="journey-handle" />
      <div className="journey-node-head">
        <span className="journey-node-type">{stepTypeLabel(step.type)}</span>
        {isEntry ? <span className="journey-node-start">Start</span> : null}
        {issueCount > 0 ? (
          <span className="journey-node-issues" title={`${issueCount} ${issueCount === 1 ? 'issue' : 'issues'}`}>
            {issueCount} {issueCount === 1 ? 'issue' : 'issues'}
          </span>
        ) : null}
      </div>
      <div className="journey-node-label">{step.label?.trim() || step.id}</div>
      <div className="journey-node-summary">{summary}</div>
      {count !== null ? (
        <div className="journey-node-count" title="Contacts at this step now">
          <strong>{count.toLocaleString('en-GB')}</strong> here now
        </div>
      ) : null}
      {links.length > 0 ? (
        <div className="journey-node-outs">
          {links.map(({ link }, i) => (
            <span key={link} className="journey-node-out" style={{ left: `${((i + 1) / (links.length + 1)) * 100}%` }}>
              {links.length > 1 ? HANDLE_LABELS[link] : ''}
            </span>
          ))}
        </div>
      ) : null}
      {links.map(({ link }, i) => (
        <Handle
          key={link}
          id={link}
          type="source"
          position={Position.Bottom}
          className={`journey-handle journey-handle-${link}`}
          style={{ left: `${((i + 1) / (links.length + 1)) * 100}%` }}
          aria-label={`${step.label ?? step.id}: ${HANDLE_LABELS[link]}`}
        />
      ))}
    </div>
  );
}
