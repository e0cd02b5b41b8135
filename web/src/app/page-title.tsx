import { type ReactNode, useEffect } from 'react';

/** The page's heading, also the browser tab's title. */
export function PageTitle({
  children,
  title,
  actions,
}: {
  children: ReactNode;
  title: string;
  actions?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Bazaar`;
  }, [title]);
  return (
    <div className="page-title">
      <h1>{children}</h1>
      {actions && <div className="page-title__actions">{actions}</div>}
    </div>
  );
}
