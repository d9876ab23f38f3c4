import type { StepMetrics, StepName } from '@relayboard/contracts';

export interface DigestInput {
  dataset: string;
  runId: string;
  runUrl: string;
  metrics: Partial<Record<StepName, StepMetrics>>;
  failure: { step: StepName; message: string } | null;
  durationMs: number;
}

export interface SlackMessage {
  text: string;
  blocks: ({ type: string } & Record<string, unknown>)[];
}

const fmt = new Intl.NumberFormat('en-US');

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

/** Slack's section text limit is 3000 characters; long dbt errors are cut to fit. */
function clip(text: string, max = 2800): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The Block Kit message posted after a run; `text` is the notification fallback. */
export function buildDigest(input: DigestInput): SlackMessage {
  const rows = Number(input.metrics.stage?.rows ?? 0);
  const bytes = Number(input.metrics.stage?.bytes ?? input.metrics.fetch?.bytes ?? 0);
  const seconds = (input.durationMs / 1000).toFixed(1);
  if (input.failure) {
    const text = `Relayboard: ${input.dataset} failed at ${input.failure.step}`;
    return {
      text,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: clip(`❌ ${input.dataset}: run failed`, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(`*Step:* ${input.failure.step}\n*Reason:* ${input.failure.message}`) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Run <${input.runUrl}|${input.runId}> · ${seconds} s` }] },
      ],
    };
  }
  const models = Number(input.metrics.transform?.models ?? 0);
  const tests = Number(input.metrics.transform?.tests ?? 0);
  const text = `Relayboard: ${input.dataset} loaded ${fmt.format(rows)} rows`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`✅ ${input.dataset}: ${fmt.format(rows)} rows loaded`, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Rows*\n${fmt.format(rows)}` },
          { type: 'mrkdwn', text: `*Size*\n${formatBytes(bytes)}` },
          { type: 'mrkdwn', text: `*dbt models*\n${models}` },
          { type: 'mrkdwn', text: `*dbt tests passed*\n${tests}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Table \`warehouse.${input.dataset}\` · run <${input.runUrl}|${input.runId}> · ${seconds} s` }] },
    ],
  };
}
