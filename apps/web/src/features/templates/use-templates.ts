import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';

export type TemplateListItem = RouterOutputs['templates']['list'][number];
export type TemplateDetail = RouterOutputs['templates']['get'];
export type Placeholders = RouterOutputs['templates']['placeholders'];
export type TemplatePreview = RouterOutputs['templates']['preview'];

export const useTemplates = () => useQuery(trpc.templates.list.queryOptions());
/** Disabled for a new template (no ID yet). */
export const useTemplate = (id: string | undefined) =>
  useQuery({ ...trpc.templates.get.queryOptions({ id: id ?? '' }), enabled: id !== undefined });
/** The palette changes only when the field catalogue does. */
export const usePlaceholders = () => useQuery({ ...trpc.templates.placeholders.queryOptions(), staleTime: 60_000 });

export async function invalidateTemplates(): Promise<void> {
  await queryClient.invalidateQueries(trpc.templates.pathFilter());
}
