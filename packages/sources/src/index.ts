import type { AppConfig } from '@relayboard/config';
import type { ObjectStore } from '@relayboard/storage';
import { ContentStore } from './content-store';
import { UrlFetcher, fetchSettings } from './url-fetcher';

export { ContentStore, type IncomingSource, type ReceivedContent, type StoredContent } from './content-store';
export { SourceError } from './source-error';
export { UrlFetcher, fetchSettings, type FetchSettings, type FetchedContent } from './url-fetcher';

/** The content store and URL fetcher as the api and worker both use them, from the app's settings. */
export function createSources(store: ObjectStore, config: AppConfig): { content: ContentStore; urls: UrlFetcher } {
  const content = new ContentStore(store, config.fetch.maxBytes);
  return { content, urls: new UrlFetcher(content, fetchSettings(config)) };
}
