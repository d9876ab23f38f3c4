'use client';

import { useEffect, useId, useRef, useState } from 'react';

const SUGGESTIONS = 20;

/**
 * The runs filter's dataset: a text field (it works without JavaScript: type the
 * name) whose browser suggestions are the datasets starting with what was typed,
 * asked of the api 20 at a time, so the page never loads every dataset.
 */
export function DatasetNameField({
  id,
  name,
  defaultValue,
  className,
}: {
  id: string;
  name: string;
  defaultValue: string;
  className: string;
}) {
  const listId = useId();
  const [value, setValue] = useState(defaultValue);
  const [names, setNames] = useState<string[]>([]);
  const asked = useRef<string | null>(null);

  useEffect(() => {
    const prefix = value.trim().toLowerCase();
    if (!/^[a-z0-9_]*$/.test(prefix) || asked.current === prefix) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      asked.current = prefix;
      const query = new URLSearchParams({ limit: String(SUGGESTIONS), ...(prefix && { prefix }) });
      fetch(`/api/datasets?${query}`, { headers: { accept: 'application/json' }, signal: controller.signal })
        .then((response) => (response.ok ? response.json() : { datasets: [] }))
        .then((body: { datasets?: { name: string }[] }) =>
          setNames((body.datasets ?? []).map((dataset) => dataset.name)),
        )
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [value]);

  return (
    <>
      <input
        id={id}
        name={name}
        type="text"
        list={listId}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        placeholder="All datasets"
        autoComplete="off"
        spellCheck={false}
        className={`${className} w-56`}
      />
      <datalist id={listId} data-testid="dataset-suggestions">
        {names.map((dataset) => (
          <option key={dataset} value={dataset} />
        ))}
      </datalist>
    </>
  );
}
