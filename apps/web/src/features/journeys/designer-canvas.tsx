import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type NodeTypes,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { JourneyDefinition } from '@zweck/journeys';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { connect, defaultPosition, edgesOf, moveStep, removeSteps, type StepLink } from './journey-graph.ts';
import { stepSummary } from './journey-labels.ts';
import { StepNode, type StepNodeType } from './step-node.tsx';

const NODE_TYPES: NodeTypes = { step: StepNode };
const FIT_VIEW = { padding: 0.2, maxZoom: 1 };

export interface CanvasNames {
  purpose: (id: string) => string;
  template: (id: string) => string;
}

/**
 * The graph editor (React Flow). The definition is the single source: nodes and edges are drawn
 * from it, and every gesture (move, connect, delete) becomes an edit of it through `onChange`.
 * React Flow keeps its own node state (sizes, dragging) between edits.
 */
export function DesignerCanvas({
  definition,
  names,
  selectedId,
  counts,
  issueCounts,
  readOnly,
  onChange,
  onSelect,
}: {
  definition: JourneyDefinition;
  names: CanvasNames;
  selectedId: string | null;
  /** Contacts per step of the version shown; null: no statistics. */
  counts: ReadonlyMap<string, number> | null;
  issueCounts: ReadonlyMap<string, number>;
  readOnly: boolean;
  onChange: (edit: (definition: JourneyDefinition) => JourneyDefinition) => void;
  onSelect: (stepId: string | null) => void;
}) {
  // What React Flow itself keeps of a node (its measured size, whether it is being dragged, where
  // to while it is); everything else is drawn from the definition at every render.
  const [flowNodes, setFlowNodes] = useState<StepNodeType[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());

  const nodes = useMemo(() => {
    const byId = new Map(flowNodes.map((n) => [n.id, n]));
    return definition.steps.map((step, i): StepNodeType => {
      const old = byId.get(step.id);
      return {
        ...old,
        id: step.id,
        type: 'step',
        // While a node is dragged, React Flow owns its position; the definition gets it on drop.
        position: old?.dragging ? old.position : (step.position ?? defaultPosition(i)),
        selected: step.id === selectedId,
        data: {
          step,
          summary: stepSummary(step, names),
          isEntry: step.id === definition.entryStepId,
          count: counts ? (counts.get(step.id) ?? 0) : null,
          issueCount: issueCounts.get(step.id) ?? 0,
        },
      };
    });
  }, [definition, flowNodes, selectedId, counts, issueCounts, names]);

  // A step added or deleted: show the whole journey again, once React Flow has measured the new node.
  const flow = useReactFlow();
  const stepCount = definition.steps.length;
  useEffect(() => {
    const timer = setTimeout(() => void flow.fitView(FIT_VIEW), 60);
    return () => clearTimeout(timer);
  }, [stepCount, flow]);

  const edges = useMemo<Edge[]>(
    () =>
      edgesOf(definition).map((e) => ({
        ...e,
        selected: selectedEdges.has(e.id),
        markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
        className: `journey-edge journey-edge-${e.sourceHandle}`,
        labelBgPadding: [4, 2] as [number, number],
      })),
    [definition, selectedEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNodeType>[]) => {
      setFlowNodes(applyNodeChanges(changes, nodes));
      const removed = changes.flatMap((c) => (c.type === 'remove' ? [c.id] : []));
      if (removed.length > 0) onChange((d) => removeSteps(d, removed));
      const selection = changes.filter((c) => c.type === 'select');
      if (selection.length > 0) {
        const chosen = selection.find((c) => c.type === 'select' && c.selected);
        if (chosen) onSelect(chosen.id);
        else if (selection.some((c) => c.type === 'select' && c.id === selectedId)) onSelect(null);
      }
    },
    [nodes, onChange, onSelect, selectedId],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      setSelectedEdges((current) => {
        const next = new Set(current);
        for (const c of changes) {
          if (c.type !== 'select') continue;
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
        return next;
      });
      const removed = changes.flatMap((c) => (c.type === 'remove' ? [c.id] : []));
      if (removed.length === 0) return;
      onChange((d) =>
        removed.reduce((acc, id) => {
          const [source, link] = id.split(':') as [string, StepLink];
          return connect(acc, source, link, null);
        }, d),
      );
    },
    [onChange],
  );

  const onConnect = useCallback(
    (c: Connection) => onChange((d) => connect(d, c.source, (c.sourceHandle ?? 'next') as StepLink, c.target)),
    [onChange],
  );

  return (
    <div className="journey-canvas" aria-label="Journey canvas">
      <ReactFlow<StepNodeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStop={(_, node) => onChange((d) => moveStep(d, node.id, node.position))}
        onPaneClick={() => onSelect(null)}
        isValidConnection={(c) => c.source !== c.target}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        fitView
        fitViewOptions={FIT_VIEW}
        minZoom={0.3}
        maxZoom={1.5}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
