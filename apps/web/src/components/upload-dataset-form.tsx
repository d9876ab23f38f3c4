'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { suggestDatasetName } from '@/lib/dataset-names';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { formatBytes } from '@/lib/format';
import { FormAlert, FormField } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';

const FIELDS = ['name', 'file'] as const;
// The upload route validates the name as a path parameter.
const ALIASES = { path: 'name' };
type UploadAnswer = { status: number; body: unknown };

/** XMLHttpRequest rather than fetch: only it reports how much of the body has been sent. */
function upload(url: string, body: FormData, onProgress: (percent: number) => void): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('accept', 'application/json');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.responseText);
      } catch {
        parsed = undefined;
      }
      resolve({ status: request.status, body: parsed });
    };
    request.onerror = () => reject(new Error('network'));
    request.send(body);
  });
}

export function UploadDatasetForm() {
  const router = useRouter();
  const { errors, setErrors, formRef } = useFormErrors();
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);

  function choose(chosen: File | null) {
    setFile(chosen);
    if (chosen && !nameEdited) setName(suggestDatasetName(chosen.name));
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files;
    if (dropped.length === 0) return;
    // Keeps the input in step with what was dropped, so the form reads the same either way.
    if (fileRef.current) fileRef.current.files = dropped;
    choose(dropped[0]);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const datasetName = name.trim();
    if (!file) {
      setErrors({ fields: { file: ['Choose a CSV file, or drop one here.'] }, form: [] });
      return;
    }
    if (!datasetName) {
      setErrors({ fields: { name: ['Give the dataset a name.'] }, form: [] });
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    setErrors(NO_ERRORS);
    setProgress(0);
    try {
      const answer = await upload(`/api/datasets/${encodeURIComponent(datasetName)}/upload`, body, setProgress);
      if (answer.status === 200 || answer.status === 201) {
        setProgress(100);
        router.push(`/datasets/${encodeURIComponent(datasetName)}`);
        return;
      }
      setErrors(formErrorsFrom(answer.body, answer.status, FIELDS, ALIASES));
    } catch {
      setErrors({
        fields: {},
        form: ['The upload stopped before the board answered; check that the board is running and try again.'],
      });
    }
    setProgress(null);
  }

  const fileErrors = errors.fields.file ?? [];
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-labelledby="upload-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div>
        <h2 id="upload-title" className="font-semibold">
          Upload a CSV
        </h2>
        <p className="text-xs text-slate-500">A new name registers a dataset; an existing one gets a new version.</p>
      </div>
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        className={`flex flex-col items-center gap-2 rounded-md border-2 border-dashed p-4 text-center text-sm ${
          dragging ? 'border-sky-500 bg-sky-50' : fileErrors.length > 0 ? 'border-red-400' : 'border-slate-300'
        }`}
      >
        <label htmlFor="upload-file" className="font-medium text-slate-700">
          CSV file
        </label>
        <input
          ref={fileRef}
          id="upload-file"
          name="file"
          type="file"
          accept=".csv,.tsv,.txt,.gz,text/csv"
          aria-invalid={fileErrors.length > 0 ? 'true' : undefined}
          aria-describedby={fileErrors.length > 0 ? 'upload-file-error upload-file-hint' : 'upload-file-hint'}
          onChange={(event) => choose(event.currentTarget.files?.[0] ?? null)}
          className="max-w-full text-xs text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200"
        />
        <p id="upload-file-hint" className="text-xs text-slate-500">
          {file ? `${file.name}, ${formatBytes(file.size)}` : 'Pick a file, or drop one here.'}
        </p>
        {fileErrors.length > 0 && (
          <p id="upload-file-error" className="text-xs text-red-700">
            {fileErrors.join(' ')}
          </p>
        )}
      </div>
      <FormField
        id="upload-name"
        name="name"
        label="Dataset name"
        value={name}
        onChange={(event) => {
          setName(event.currentTarget.value);
          setNameEdited(true);
        }}
        autoComplete="off"
        spellCheck={false}
        required
        errors={errors.fields.name}
      />
      <FormAlert messages={errors.form} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={progress !== null} className={primaryButtonClassName}>
          Upload
        </button>
        {progress !== null && (
          <div className="flex min-w-40 flex-1 items-center gap-2">
            <div
              role="progressbar"
              aria-label="Upload progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress}
              className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200"
            >
              <div className="h-full rounded-full bg-sky-600 transition-[width]" style={{ width: `${progress}%` }} />
            </div>
            <span className="text-xs text-slate-600 tabular-nums">{progress}%</span>
          </div>
        )}
      </div>
    </form>
  );
}
