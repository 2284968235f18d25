import type { ReactNode } from 'react';

/** The search landmark above a list: one labelled search field, and room beside it for a status. */
export function SearchToolbar({
  id,
  label,
  value,
  onChange,
  placeholder,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  children?: ReactNode;
}) {
  return (
    <div className="toolbar" role="search">
      <div className="field field-inline">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="search"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          autoComplete="off"
        />
      </div>
      {children}
    </div>
  );
}
