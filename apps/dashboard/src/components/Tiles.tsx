import type { ReactNode } from 'react';

/** A row of header tiles: label above, value below (entity and user pages). */
export function Tiles({ items }: { items: { label: string; value: ReactNode; testId?: string }[] }) {
  return (
    <dl className="tiles">
      {items.map((item) => (
        <div className="tile" key={item.label} data-testid={item.testId}>
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
