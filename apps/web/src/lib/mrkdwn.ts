/**
 * Slack's mrkdwn, read into a tree the board renders with React elements, so text from a
 * CSV stays text: nothing here ever becomes HTML. Slack escapes `&`, `<` and `>` in the
 * text itself, so a bare `<...>` is always Slack's link or mention markup.
 */
export type MrkdwnNode =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: MrkdwnNode[] }
  | { kind: 'code'; text: string }
  | { kind: 'pre'; text: string }
  | { kind: 'link'; href: string | null; label: string };

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (entity) => ENTITIES[entity]);
}

// Slack only treats a marker as formatting at a word boundary, so `rows_rejected` keeps its underscores.
const STYLES: { kind: 'bold' | 'italic' | 'strike'; pattern: RegExp }[] = [
  { kind: 'bold', pattern: /(^|[\s([{"'“‘•])\*([^*\n]+?)\*(?=$|[\s)\]}.,;:!?"'”’])/ },
  { kind: 'italic', pattern: /(^|[\s([{"'“‘•])_([^_\n]+?)_(?=$|[\s)\]}.,;:!?"'”’])/ },
  { kind: 'strike', pattern: /(^|[\s([{"'“‘•])~([^~\n]+?)~(?=$|[\s)\]}.,;:!?"'”’])/ },
];

function parseStyles(text: string): MrkdwnNode[] {
  let earliest: { kind: 'bold' | 'italic' | 'strike'; match: RegExpExecArray } | null = null;
  for (const { kind, pattern } of STYLES) {
    const match = pattern.exec(text);
    if (match && (earliest === null || match.index < earliest.match.index)) earliest = { kind, match };
  }
  if (earliest === null) return text ? [{ kind: 'text', text: decodeEntities(text) }] : [];
  const { kind, match } = earliest;
  const [whole, lead, inner] = match;
  const before = text.slice(0, match.index) + lead;
  const after = text.slice(match.index + whole.length);
  return [...parseStyles(before), { kind, children: parseStyles(inner) }, ...parseStyles(after)];
}

function parseLink(target: string, label: string | undefined): MrkdwnNode {
  // Mentions (<@U123>, <#C123>, <!here>) are shown as the text Slack would show, never resolved.
  if (/^[@#!]/.test(target)) return { kind: 'text', text: decodeEntities(label ?? target) };
  const href = /^https?:\/\//i.test(target) ? decodeEntities(target) : null;
  return { kind: 'link', href, label: decodeEntities(label ?? target) };
}

function parseLinks(text: string): MrkdwnNode[] {
  const nodes: MrkdwnNode[] = [];
  const pattern = /<([^<>|\n]+)(?:\|([^<>\n]*))?>/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    nodes.push(...parseStyles(text.slice(last, match.index)));
    nodes.push(parseLink(match[1], match[2]));
    last = match.index + match[0].length;
  }
  nodes.push(...parseStyles(text.slice(last)));
  return nodes;
}

function parseInline(text: string): MrkdwnNode[] {
  const nodes: MrkdwnNode[] = [];
  let last = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    nodes.push(...parseLinks(text.slice(last, match.index)));
    nodes.push({ kind: 'code', text: decodeEntities(match[1]) });
    last = match.index + match[0].length;
  }
  nodes.push(...parseLinks(text.slice(last)));
  return nodes;
}

export function parseMrkdwn(text: string): MrkdwnNode[] {
  const nodes: MrkdwnNode[] = [];
  let last = 0;
  for (const match of text.matchAll(/```([\s\S]*?)```/g)) {
    nodes.push(...parseInline(text.slice(last, match.index)));
    nodes.push({ kind: 'pre', text: decodeEntities(match[1].replace(/^\n/, '')) });
    last = match.index + match[0].length;
  }
  nodes.push(...parseInline(text.slice(last)));
  return nodes;
}
