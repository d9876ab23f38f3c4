import type { ReactNode } from 'react';
import { parseMrkdwn, type MrkdwnNode } from '@/lib/mrkdwn';

type TextObject = { type?: unknown; text?: unknown };
type Block = Record<string, unknown>;

function textOf(value: unknown): { text: string; mrkdwn: boolean } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { type, text } = value as TextObject;
  if (typeof text !== 'string') return null;
  return { text, mrkdwn: type === 'mrkdwn' };
}

function renderNodes(nodes: MrkdwnNode[]): ReactNode[] {
  return nodes.map((node, index) => {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'bold':
        return <strong key={index}>{renderNodes(node.children)}</strong>;
      case 'italic':
        return <em key={index}>{renderNodes(node.children)}</em>;
      case 'strike':
        return <s key={index}>{renderNodes(node.children)}</s>;
      case 'code':
        return (
          <code
            key={index}
            className="rounded border border-slate-200 bg-slate-50 px-1 font-mono text-[0.85em] text-rose-700"
          >
            {node.text}
          </code>
        );
      case 'pre':
        return (
          // Focusable because a wide table of first rows scrolls sideways on a phone.
          <pre
            key={index}
            tabIndex={0}
            className="my-1 overflow-x-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs leading-relaxed text-slate-800"
          >
            {node.text}
          </pre>
        );
      case 'link':
        return node.href ? (
          <a
            key={index}
            href={node.href}
            className="text-sky-700 underline underline-offset-2"
            rel="noreferrer noopener"
          >
            {node.label}
          </a>
        ) : (
          <span key={index}>{node.label}</span>
        );
    }
  });
}

function Text({ value }: { value: { text: string; mrkdwn: boolean } }) {
  return <>{value.mrkdwn ? renderNodes(parseMrkdwn(value.text)) : value.text}</>;
}

function DigestBlock({ block }: { block: Block }) {
  switch (block.type) {
    case 'header': {
      const text = textOf(block.text);
      return text && <p className="text-lg font-bold text-slate-900">{text.text}</p>;
    }
    case 'section': {
      const text = textOf(block.text);
      const fields = Array.isArray(block.fields) ? block.fields.map(textOf).filter((field) => field !== null) : [];
      return (
        <div className="space-y-2">
          {text && (
            <div className="break-words whitespace-pre-wrap">
              <Text value={text} />
            </div>
          )}
          {fields.length > 0 && (
            <div className="grid grid-cols-2 gap-x-6 gap-y-2">
              {fields.map((field, index) => (
                <div key={index} className="min-w-0 break-words whitespace-pre-wrap">
                  <Text value={field} />
                </div>
              ))}
            </div>
          )}
        </div>
      );
    }
    case 'context': {
      const elements = Array.isArray(block.elements)
        ? block.elements.map(textOf).filter((element) => element !== null)
        : [];
      return (
        <p className="text-xs break-words text-slate-500">
          {elements.map((element, index) => (
            <span key={index}>
              {index > 0 && ' '}
              <Text value={element} />
            </span>
          ))}
        </p>
      );
    }
    case 'divider':
      return <hr className="border-slate-200" />;
    default:
      // A block kind the preview does not draw is named, so the preview never hides part of the message.
      return <p className="text-xs text-slate-500 italic">({String(block.type)} block)</p>;
  }
}

/** The digest as Slack draws it: the app's name and avatar, then the blocks. */
export function SlackDigest({ blocks, text }: { blocks: Block[]; text: string }) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4 text-sm leading-relaxed text-slate-800 shadow-sm">
      <figcaption className="sr-only">Slack message preview. Notification text: {text}</figcaption>
      <div className="flex gap-3">
        <span
          aria-hidden="true"
          className="grid size-9 shrink-0 place-items-center rounded-md bg-slate-900 text-sm font-semibold text-white"
        >
          R
        </span>
        <div className="min-w-0 flex-1 space-y-3">
          <p className="font-bold text-slate-900">
            Relayboard{' '}
            <span className="ml-1 rounded bg-slate-100 px-1 text-[0.65rem] font-semibold text-slate-700 uppercase">
              app
            </span>
          </p>
          {blocks.map((block, index) => (
            <DigestBlock key={index} block={block} />
          ))}
        </div>
      </div>
    </figure>
  );
}
