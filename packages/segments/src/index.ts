export * from './definition.ts';
export { compileSegment, type CompileOptions } from './compile.ts';
export {
  countSegment,
  listSegmentMembers,
  readSegmentDefinition,
  MAX_PAGE_SIZE,
  SegmentNotFoundError,
  type MemberPage,
  type SegmentDb,
  type SegmentRef,
} from './members.ts';
