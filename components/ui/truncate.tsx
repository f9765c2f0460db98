import type { ElementType } from "react";

/**
 * A name that may be long (an environment's, a wallet's, a key's, an endpoint's URL): one line,
 * cut with an ellipsis where its box ends, the full text on hover (title) and for screen readers
 * (the text itself is all there). Its flex or grid parent needs `min-w-0` for the cut to happen.
 */
export function Truncate({ text, as: Tag = "span", className = "" }: { text: string; as?: ElementType; className?: string }) {
  return (
    <Tag title={text} className={`block min-w-0 truncate ${className}`}>
      {text}
    </Tag>
  );
}
