import { formErrorsFrom } from './form-errors';

describe('formErrorsFrom', () => {
  const sut = formErrorsFrom;
  const fields = ['name', 'csvUrl'] as const;

  it('puts each validation issue on the field it names', () => {
    const body = {
      error: {
        code: 'validation_failed',
        message: 'invalid request body: csvUrl: only http and https URLs are accepted',
        details: { issues: [{ field: 'csvUrl', message: 'only http and https URLs are accepted' }] },
      },
    };
    expect(sut(body, 400, fields)).toEqual({ fields: { csvUrl: ['only http and https URLs are accepted'] }, form: [] });
  });

  it('keeps issues about fields the form does not have, named, for the whole form', () => {
    const body = {
      error: {
        code: 'validation_failed',
        message: 'x',
        details: { issues: [{ field: 'body', message: 'is required' }] },
      },
    };
    expect(sut(body, 400, fields)).toEqual({ fields: {}, form: ['body: is required'] });
  });

  it('maps errors found after validation to the field they concern', () => {
    expect(sut({ error: { code: 'dataset_exists', message: 'dataset "a" exists' } }, 409, fields).fields).toEqual({
      name: ['dataset "a" exists'],
    });
    expect(sut({ error: { code: 'source_http_error', message: 'answered 404' } }, 400, fields).fields).toEqual({
      csvUrl: ['answered 404'],
    });
  });

  it("puts another destination's webhook on the webhook URL field", () => {
    const body = {
      error: {
        code: 'destination_exists',
        message: 'webhookUrl is already registered as destination d1',
        details: { destinationId: 'd1' },
      },
    };
    expect(sut(body, 409, ['name', 'webhookUrl']).fields).toEqual({
      webhookUrl: ['webhookUrl is already registered as destination d1'],
    });
  });

  it('puts a duplicate check on its column, or where an alias sends it', () => {
    const body = { error: { code: 'check_exists', message: 'already declares check x' } };
    expect(sut(body, 409, ['kind', 'column']).fields).toEqual({ column: ['already declares check x'] });
    expect(sut(body, 409, ['kind', 'min'], { column: 'kind' }).fields).toEqual({ kind: ['already declares check x'] });
  });

  it('follows aliases from the api field to the form field', () => {
    const body = {
      error: { code: 'validation_failed', message: 'x', details: { issues: [{ field: 'name', message: 'bad' }] } },
    };
    expect(sut(body, 400, ['datasetName'], { name: 'datasetName' }).fields).toEqual({ datasetName: ['bad'] });
  });

  it('says what to do when the body is not an api error', () => {
    expect(sut('<html>', 502, fields).form[0]).toMatch(/^The board got HTTP 502/);
  });
});
