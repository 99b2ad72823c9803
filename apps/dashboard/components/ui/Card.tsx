import type { ReactNode } from "react";

interface CardProps {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  testId?: string;
  /** id of the heading, so sections can be labelled with aria-labelledby. */
  headingId?: string;
}

/** A titled section; the heading labels the region for screen readers. */
export function Card({ title, description, actions, children, className, testId, headingId }: CardProps) {
  return (
    <section
      className={["card", className].filter(Boolean).join(" ")}
      data-testid={testId}
      aria-labelledby={title && headingId ? headingId : undefined}
    >
      {(title || actions) && (
        <div className="card__header">
          <div>
            {title && <h2 id={headingId}>{title}</h2>}
            {description && <p className="card__description">{description}</p>}
          </div>
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}
