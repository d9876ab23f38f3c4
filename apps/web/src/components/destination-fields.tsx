import type { Destination } from '@relayboard/contracts';
import { NOTIFY_ON_OPTIONS, type DestinationFormValues } from '@/lib/destinations';
import type { FormErrors } from '@/lib/form-errors';
import { FormField, SelectField } from './form-field';

export const DESTINATION_FIELDS = [
  'name',
  'webhookUrl',
  'datasets',
  'notifyOn',
  'rowChangeThreshold',
  'suppressHours',
] as const;

export function destinationFormValues(form: HTMLFormElement): DestinationFormValues {
  const data = new FormData(form);
  const text = (field: (typeof DESTINATION_FIELDS)[number]) => String(data.get(field) ?? '');
  return {
    name: text('name'),
    webhookUrl: text('webhookUrl'),
    datasets: text('datasets'),
    notifyOn: text('notifyOn'),
    rowChangeThreshold: text('rowChangeThreshold'),
    suppressHours: text('suppressHours'),
  };
}

interface DestinationFieldsProps {
  idPrefix: string;
  errors: FormErrors;
  /** The destination being edited; none when adding one. */
  destination?: Destination;
}

/** The fields of a Slack destination, for adding one and for editing its routing. */
export function DestinationFields({ idPrefix, errors, destination }: DestinationFieldsProps) {
  const editing = destination !== undefined;
  return (
    <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <FormField
        id={`${idPrefix}-name`}
        name="name"
        label="Name"
        placeholder="#data-alerts"
        autoComplete="off"
        defaultValue={destination?.name}
        hint={editing ? undefined : 'Optional; shown on this page and in the test message.'}
        errors={errors.fields.name}
      />
      <div className="sm:col-span-2 lg:col-span-3">
        <FormField
          id={`${idPrefix}-webhook`}
          name="webhookUrl"
          type="url"
          label={editing ? 'New webhook URL' : 'Webhook URL'}
          placeholder="https://hooks.slack.com/services/T…/B…/…"
          autoComplete="off"
          spellCheck={false}
          required={!editing}
          hint={
            editing
              ? 'Leave empty to keep the current one. Relayboard stores it encrypted and shows it masked.'
              : "From the Slack app's Incoming Webhooks page. Relayboard stores it encrypted and shows it masked."
          }
          errors={errors.fields.webhookUrl}
        />
      </div>
      <FormField
        id={`${idPrefix}-datasets`}
        name="datasets"
        label="Datasets"
        placeholder="every dataset"
        autoComplete="off"
        spellCheck={false}
        defaultValue={destination?.datasets?.join(', ')}
        hint="Dataset names, comma-separated; empty routes every dataset here."
        errors={errors.fields.datasets}
      />
      <SelectField
        id={`${idPrefix}-notify-on`}
        name="notifyOn"
        label="Notify on"
        defaultValue={destination?.notifyOn ?? 'always'}
        options={NOTIFY_ON_OPTIONS}
        errors={errors.fields.notifyOn}
      />
      <FormField
        id={`${idPrefix}-threshold`}
        name="rowChangeThreshold"
        label="Row-change threshold"
        inputMode="decimal"
        autoComplete="off"
        defaultValue={String(destination?.rowChangeThreshold ?? 0.1)}
        hint="For “changes”: the share a row count must move by (0.1 = 10%)."
        errors={errors.fields.rowChangeThreshold}
      />
      <FormField
        id={`${idPrefix}-suppress`}
        name="suppressHours"
        label="Suppress repeated failures (hours)"
        inputMode="decimal"
        autoComplete="off"
        placeholder="no suppression"
        defaultValue={
          destination?.suppressHours === null || destination === undefined
            ? undefined
            : String(destination.suppressHours)
        }
        hint="At most one failure digest per dataset in this many hours; empty posts every one."
        errors={errors.fields.suppressHours}
      />
    </div>
  );
}
