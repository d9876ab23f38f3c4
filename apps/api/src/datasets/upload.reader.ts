import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { ErrorCode } from '@relayboard/contracts';
import { ContentStore, SourceError, type ReceivedContent } from '@relayboard/sources';
import { DomainError } from '../common/domain-error';
import { asDomainError } from './source-errors';

const UPLOAD_FIELD = 'file';

const HOW_TO = `send multipart/form-data with the CSV in one file field named "${UPLOAD_FIELD}" (curl -F ${UPLOAD_FIELD}=@orders.csv ...)`;

/**
 * Reads a multipart upload straight from the request into the content store:
 * busboy hands over the file part as a stream, which goes through the same
 * path as a URL download, so nothing is buffered in memory or on disk.
 */
@Injectable()
export class UploadReader {
  constructor(private readonly content: ContentStore) {}

  read(req: IncomingMessage): Promise<ReceivedContent> {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*(;|$)/i.test(type)) {
      throw new DomainError(
        ErrorCode.UnsupportedMediaType,
        `an upload must be multipart/form-data, not ${type ? `"${type}"` : 'a body without Content-Type'}; ${HOW_TO}`,
      );
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fields: 20, parts: 40, fieldSize: 64 * 1024 },
      });
    } catch (error) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `the multipart body cannot be read (${(error as Error).message}); ${HOW_TO}`,
      );
    }

    return new Promise((resolve, reject) => {
      let receiving: Promise<ReceivedContent> | null = null;
      let problem: DomainError | null = null;
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        // Ends a file part still being received (its temporary object is then removed); whatever the
        // client still sends is read and dropped, so it gets the answer instead of a reset connection.
        req.unpipe(parser);
        parser.destroy();
        req.resume();
        if (receiving)
          receiving.then(
            (received) => this.content.discard(received),
            () => undefined,
          );
        reject(asDomainError(error));
      };

      parser.on('file', (field, file, info) => {
        if (field !== UPLOAD_FIELD) {
          problem ??= new DomainError(
            ErrorCode.ValidationFailed,
            `the upload has a file field named "${field}"; ${HOW_TO}`,
          );
          file.resume();
          return;
        }
        const label = `the uploaded file${info.filename ? ` ${info.filename}` : ''}`;
        receiving = this.content.receive({
          body: file,
          label,
          describeFailure: (error) =>
            new SourceError(
              ErrorCode.ValidationFailed,
              `${label} did not arrive whole (${(error as Error)?.message ?? String(error)}); send it again`,
            ),
        });
        receiving.catch(fail);
      });
      parser.on('filesLimit', () => {
        problem ??= new DomainError(ErrorCode.ValidationFailed, `the upload has more than one file; ${HOW_TO}`);
      });
      parser.on('error', (error: Error) =>
        fail(
          new DomainError(
            ErrorCode.ValidationFailed,
            `the multipart body cannot be read (${error.message}); ${HOW_TO}`,
          ),
        ),
      );
      parser.on('close', () => {
        if (settled) return;
        if (problem) return fail(problem);
        if (!receiving)
          return fail(new DomainError(ErrorCode.ValidationFailed, `the upload has no file part; ${HOW_TO}`));
        receiving.then((received) => {
          if (settled) return void this.content.discard(received);
          settled = true;
          resolve(received);
        }, fail);
      });
      req.on('close', () => {
        if (!req.complete)
          fail(
            new DomainError(ErrorCode.ValidationFailed, `the upload was cut off before the request ended; ${HOW_TO}`),
          );
      });
      req.pipe(parser);
    });
  }
}
