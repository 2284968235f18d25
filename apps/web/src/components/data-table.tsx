import type { ReactNode } from 'react';

/** A column heading: its text, or its text with a class (such as `numeric`) and a tooltip. */
export type Column = string | { label: string; className?: string; title?: string };

/**
 * Rows under column headings, one `<tr>` per row from `children`; `empty` stands in its place when
 * there are no rows. Framed and scrolling sideways (`.table-wrap`) unless `framed` is false.
 */
export function DataTable<Row>({
  columns,
  rows,
  children,
  empty,
  caption,
  className,
  framed = true,
}: {
  columns: readonly Column[];
  rows: readonly Row[];
  children: (row: Row, index: number) => ReactNode;
  empty?: ReactNode;
  /** Read by assistive technology only. */
  caption?: ReactNode;
  /** Added to `table`, such as `table-compact`. */
  className?: string;
  framed?: boolean;
}) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  const table = (
    <table className={className ? `table ${className}` : 'table'}>
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, className: columnClass, title } = typeof column === 'string' ? { label: column } : column;
            return (
              <th key={label} scope="col" className={columnClass} title={title}>
                {label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{rows.map((row, index) => children(row, index))}</tbody>
    </table>
  );
  return framed ? <div className="table-wrap">{table}</div> : table;
}
