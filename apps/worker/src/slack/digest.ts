import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { ColumnDecision, StepName } from '@relayboard/contracts';
import { describeDecision } from '../staging/type-summary';

/** What a digest says, gathered from the run, the previous successful run of the dataset and the warehouse. */
export interface DigestFacts {
  dataset: string;
  runId: string;
  runUrl: string;
  failure: { step: StepName; message: string } | null;
  /** Rows now in warehouse.<dataset> (the stage step's count); null when the run did not stage. */
  rows: number | null;
  /** Rows after the previous successful run; null for a first load. */
  previousRows: number | null;
  bytes: number | null;
  version: { sha256: string; unchanged: boolean } | null;
  /** null when there is no earlier staged version to compare with. */
  schemaChanges: { added: string[]; removed: string[]; retyped: { name: string; from: string; to: string }[] } | null;
  rejects: { count: number; top: { reason: string; count: number; lines: number[] }[] };
  castFailures: { column: string; type: string; count: number }[];
  /** Columns whose type decision says more than the type (markers read as NULL, a date or number format, a note); absent before issue #15. */
  typing?: { column: string; type: string; decision: ColumnDecision }[];
  dbt: DbtFacts | null;
  profileMoves: string[];
  preview: { columns: string[]; rows: (string | null)[][] } | null;
  steps: { name: StepName; status: string; seconds: number | null }[];
  /** Slack user ids mentioned in failure digests: the only mentions a digest makes. */
  owners: string[];
}

export interface DbtFacts {
  models: number;
  testsPassed: number;
  testsWarned: number;
  testsFailed: number;
  problems: {
    name: string;
    kind: string;
    status: string;
    failures: number | null;
    message: string | null;
    samples: string[];
  }[];
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's limits for a message: https://api.slack.com/reference/block-kit/blocks */
export const SLACK_LIMITS = { blocks: 50, text: 3000, header: 150, fields: 10, fieldText: 2000 } as const;
const TEXT_BUDGET = SLACK_LIMITS.text - 100;
const CELL_WIDTH = 24;
const PREVIEW_WIDTH = 110;

const fmt = new Intl.NumberFormat('en-US');
const plural = (n: number, word: string, many = `${word}s`) => `${fmt.format(n)} ${n === 1 ? word : many}`;

/**
 * Escapes text for Slack mrkdwn: with &, < and > escaped, CSV content, names and
 * error messages cannot mention @channel or a person, or show a disguised link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for inside a ``` block: escaped, and without backtick runs that would end the block. */
function escapeCode(text: string): string {
  return escapeMrkdwn(text)
    .replace(/`/g, "'")
    .replace(/[\r\n\t]+/g, ' ');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Joins lines until the budget runs out, then says how many were left out. */
function listWithin(lines: string[], budget = TEXT_BUDGET, separator = '\n'): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const more = `${separator}… and ${lines.length - i} more`;
    const cost = lines[i].length + separator.length;
    if (used + cost + (i < lines.length - 1 ? more.length : 0) > budget) {
      out.push(`… and ${lines.length - i} more`);
      break;
    }
    out.push(lines[i]);
    used += cost;
  }
  return out.join(separator);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function rowsLine(rows: number, previous: number | null): string {
  if (previous === null) return `${fmt.format(rows)} rows (first load)`;
  const delta = rows - previous;
  if (delta === 0) return `${fmt.format(rows)} rows (unchanged)`;
  return `${fmt.format(rows)} rows (${delta > 0 ? '+' : '−'}${fmt.format(Math.abs(delta))} since ${fmt.format(previous)})`;
}

const section = (text: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.text) },
});

/** Whether the run succeeded but has something a person should look at. */
export function digestWarnings(facts: DigestFacts): string[] {
  const warnings: string[] = [];
  if (facts.rejects.count > 0) warnings.push(`${plural(facts.rejects.count, 'rejected row')}`);
  const cast = facts.castFailures.reduce((sum, c) => sum + c.count, 0);
  if (cast > 0) warnings.push(`${plural(cast, 'value')} did not cast`);
  if (facts.dbt && facts.dbt.testsWarned > 0) warnings.push(`${plural(facts.dbt.testsWarned, 'test')} warned`);
  return warnings;
}

function header(facts: DigestFacts, warnings: string[]): HeaderBlock {
  const status = facts.failure
    ? `❌ ${facts.dataset}: failed at ${facts.failure.step}`
    : warnings.length
      ? `⚠️ ${facts.dataset}: succeeded with warnings`
      : `✅ ${facts.dataset}: succeeded`;
  return { type: 'header', text: { type: 'plain_text', text: clip(status, SLACK_LIMITS.header), emoji: true } };
}

function summaryFields(facts: DigestFacts): SectionBlock | null {
  const fields: string[] = [];
  if (facts.rows !== null) fields.push(`*Rows*\n${rowsLine(facts.rows, facts.previousRows)}`);
  if (facts.rejects.count > 0)
    fields.push(
      `*Rejected rows*\n${fmt.format(facts.rejects.count)} (in staging.${escapeMrkdwn(facts.dataset)}__rejects)`,
    );
  if (facts.version)
    fields.push(
      `*Version*\n\`${facts.version.sha256.slice(0, 12)}\` ${facts.version.unchanged ? '(content unchanged)' : '(new content)'}`,
    );
  if (facts.bytes !== null) fields.push(`*Size*\n${formatBytes(facts.bytes)}`);
  if (facts.dbt) {
    const d = facts.dbt;
    fields.push(
      `*dbt*\n${d.models} models · ${d.testsPassed} tests passed · ${d.testsWarned} warned · ${d.testsFailed} failed`,
    );
  }
  if (!fields.length) return null;
  return {
    type: 'section',
    fields: fields
      .slice(0, SLACK_LIMITS.fields)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.fieldText) })),
  };
}

function schemaSection(changes: NonNullable<DigestFacts['schemaChanges']>): SectionBlock | null {
  const lines = [
    ...changes.added.map((c) => `• added \`${escapeCode(c)}\``),
    ...changes.removed.map((c) => `• removed \`${escapeCode(c)}\``),
    ...changes.retyped.map(
      (r) => `• retyped \`${escapeCode(r.name)}\` ${escapeMrkdwn(r.from)} → ${escapeMrkdwn(r.to)}`,
    ),
  ];
  return lines.length ? section(`*Schema changes since the previous version*\n${listWithin(lines)}`) : null;
}

function rejectsSection(rejects: DigestFacts['rejects']): SectionBlock | null {
  if (!rejects.top.length) return null;
  const lines = rejects.top.map(
    (r) =>
      `• ${fmt.format(r.count)} × ${escapeMrkdwn(clip(r.reason, 300))} (line${r.lines.length > 1 ? 's' : ''} ${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''})`,
  );
  return section(`*Top reasons rows were rejected*\n${listWithin(lines)}`);
}

function castSection(castFailures: DigestFacts['castFailures']): SectionBlock | null {
  if (!castFailures.length) return null;
  const lines = castFailures.map(
    (c) => `• \`${escapeCode(c.column)}\` (${escapeMrkdwn(c.type)}): ${fmt.format(c.count)} NULL in the warehouse`,
  );
  return section(`*Values that did not cast to their column's type*\n${listWithin(lines)}`);
}

function typingSection(typing: NonNullable<DigestFacts['typing']>): SectionBlock | null {
  if (!typing.length) return null;
  const lines = typing.map(
    (t) => `• \`${escapeCode(t.column)}\` ${escapeMrkdwn(clip(describeDecision(t.type, t.decision), 400))}`,
  );
  return section(`*How columns were typed*\n${listWithin(lines)}`);
}

function dbtSection(dbt: DbtFacts): SectionBlock | null {
  if (!dbt.problems.length) return null;
  const lines = dbt.problems.map((p) => {
    const what = p.status === 'warn' ? 'warned' : p.status === 'fail' ? 'failed' : 'errored';
    const rows = p.failures === null ? '' : ` with ${fmt.format(p.failures)} failing row${p.failures === 1 ? '' : 's'}`;
    const samples = p.samples.length
      ? `\n   e.g. ${p.samples.map((s) => `\`${escapeCode(clip(s, 120))}\``).join(', ')}`
      : '';
    const message = p.status === 'error' && p.message ? `: ${escapeMrkdwn(clip(p.message, 400))}` : '';
    return `• ${p.kind} \`${escapeCode(p.name)}\` ${what}${rows}${message}${samples}`;
  });
  return section(`*dbt tests and models that need a look*\n${listWithin(lines)}`);
}

function previewSection(preview: NonNullable<DigestFacts['preview']>): SectionBlock | null {
  if (!preview.rows.length) return null;
  const cell = (value: string | null) => clip(value === null ? '∅' : escapeCode(value), CELL_WIDTH);
  const widths = preview.columns.map((c, i) => Math.max(cell(c).length, ...preview.rows.map((r) => cell(r[i]).length)));
  const shown: number[] = [];
  let width = 0;
  for (let i = 0; i < widths.length && width + widths[i] + 2 <= PREVIEW_WIDTH; i++) {
    shown.push(i);
    width += widths[i] + 2;
  }
  if (!shown.length) shown.push(0);
  const line = (values: (string | null)[]) =>
    shown
      .map((i) => cell(values[i]).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [line(preview.columns), shown.map((i) => '─'.repeat(widths[i])).join('  '), ...preview.rows.map(line)];
  const table: string[] = [];
  for (const l of lines) {
    if (table.join('\n').length + l.length + 200 > TEXT_BUDGET) break;
    table.push(l);
  }
  const hiddenRows = lines.length - table.length;
  const hiddenColumns = preview.columns.length - shown.length;
  const notes = [
    hiddenRows > 0 ? `${hiddenRows} more rows` : '',
    hiddenColumns > 0 ? `${hiddenColumns} more columns` : '',
  ].filter(Boolean);
  return section(
    `*First ${plural(preview.rows.length, 'row')}*${notes.length ? ` (and ${notes.join(', ')})` : ''}\n\`\`\`${table.join('\n')}\`\`\``,
  );
}

function footer(facts: DigestFacts): ContextBlock {
  const steps = facts.steps
    .filter((s) => s.status !== 'pending')
    .map(
      (s) =>
        `${s.name} ${s.status === 'succeeded' ? (s.seconds === null ? '✓' : `${s.seconds.toFixed(1)} s`) : s.status}`,
    )
    .join(' · ');
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(`${steps ? `${steps} · ` : ''}<${facts.runUrl}|run ${facts.runId}>`, SLACK_LIMITS.text),
      },
    ],
  };
}

/**
 * The Block Kit message posted after a run, with a plain `text` fallback: in
 * one look, what happened to the data since the last successful run. Every
 * piece of text from a file, a name or dbt is escaped; every list is cut to
 * Slack's limits with "and N more".
 */
export function buildDigest(facts: DigestFacts): SlackMessage {
  const warnings = digestWarnings(facts);
  const blocks: KnownBlock[] = [header(facts, warnings)];
  if (facts.failure) {
    const owners = facts.owners.length ? `\ncc ${facts.owners.map((o) => `<@${o}>`).join(' ')}` : '';
    blocks.push(
      section(
        `*The ${facts.failure.step} step failed:* ${escapeMrkdwn(clip(facts.failure.message, TEXT_BUDGET - 200))}${owners}`,
      ),
    );
  }
  const optional = [
    summaryFields(facts),
    facts.schemaChanges ? schemaSection(facts.schemaChanges) : null,
    rejectsSection(facts.rejects),
    castSection(facts.castFailures),
    facts.typing ? typingSection(facts.typing) : null,
    facts.dbt ? dbtSection(facts.dbt) : null,
    facts.profileMoves.length
      ? section(
          `*What moved in the data since the previous run*\n${listWithin(facts.profileMoves.map((m) => `• ${escapeMrkdwn(m)}`))}`,
        )
      : null,
    facts.preview ? previewSection(facts.preview) : null,
  ];
  for (const block of optional) if (block) blocks.push(block);
  blocks.push(footer(facts));

  const status = facts.failure
    ? `failed at ${facts.failure.step}`
    : warnings.length
      ? `succeeded with warnings (${warnings.join(', ')})`
      : 'succeeded';
  const rows = facts.rows !== null && !facts.failure ? `: ${rowsLine(facts.rows, facts.previousRows)}` : '';
  const text = clip(`Relayboard: ${facts.dataset} ${escapeMrkdwn(status)}${rows}`, SLACK_LIMITS.text);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Every way the message breaks Slack's limits; empty when it fits. */
export function slackLimitProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > SLACK_LIMITS.blocks) problems.push(`${message.blocks.length} blocks`);
  if (message.text.length > SLACK_LIMITS.text) problems.push(`text of ${message.text.length} characters`);
  message.blocks.forEach((block, i) => {
    if (block.type === 'header' && block.text.text.length > SLACK_LIMITS.header)
      problems.push(`header ${i} of ${block.text.text.length} characters`);
    if (block.type === 'section') {
      if (block.text && block.text.text.length > SLACK_LIMITS.text)
        problems.push(`section ${i} of ${block.text.text.length} characters`);
      if ((block.fields?.length ?? 0) > SLACK_LIMITS.fields)
        problems.push(`section ${i} with ${block.fields!.length} fields`);
      for (const f of block.fields ?? [])
        if (f.text.length > SLACK_LIMITS.fieldText)
          problems.push(`a field of section ${i} of ${f.text.length} characters`);
    }
    if (block.type === 'context')
      for (const e of block.elements)
        if ('text' in e && e.text.length > SLACK_LIMITS.text)
          problems.push(`context ${i} of ${e.text.length} characters`);
  });
  return problems;
}

/** A context line added to one destination's copy: failure digests it did not get because of its suppression interval. */
export function withSuppressedNote(message: SlackMessage, suppressed: { count: number; since: Date }): SlackMessage {
  if (suppressed.count === 0) return message;
  const note: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${suppressed.count} more failure digest${suppressed.count === 1 ? '' : 's'} of this dataset since ${suppressed.since.toISOString()} were held back by this destination's suppression interval`,
      },
    ],
  };
  return { ...message, blocks: [...message.blocks.slice(0, SLACK_LIMITS.blocks - 1), note] };
}
