// A part of the player's page: a region named by its heading; tables inside scroll sideways on a narrow screen.
import type { ComponentChildren } from 'preact';
import type { Player, Role } from './api.js';

/** What each section of the player's page is given: the player, the operator's role, and how to reload. */
export interface PlayerSectionProps {
  player: Player;
  role: Role;
  reload: () => void;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Table({ head, children, empty }: { head: string[]; children: ComponentChildren[]; empty: string }) {
  if (children.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-scroll" tabIndex={0}>
      <table>
        <thead>
          <tr>
            {head.map((title) => (
              <th key={title} scope="col">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A table cell's several values, one a line ("—" for none). */
export function Lines({ lines }: { lines: string[] }) {
  if (lines.length === 0) return <>—</>;
  return (
    <>
      {lines.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </>
  );
}
