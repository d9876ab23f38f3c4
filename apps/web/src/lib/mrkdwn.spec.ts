import { parseMrkdwn } from './mrkdwn';

describe('parseMrkdwn', () => {
  const sut = parseMrkdwn;

  it('reads bold, italic and strike at word boundaries', () => {
    expect(sut('*Rows*\n55 rows')).toEqual([
      { kind: 'bold', children: [{ kind: 'text', text: 'Rows' }] },
      { kind: 'text', text: '\n55 rows' },
    ]);
    expect(sut('a _b_ ~c~')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' ' },
      { kind: 'strike', children: [{ kind: 'text', text: 'c' }] },
    ]);
  });

  it('keeps markers inside words as text', () => {
    expect(sut('rows_rejected and cast_failures')).toEqual([{ kind: 'text', text: 'rows_rejected and cast_failures' }]);
    expect(sut('2*3*4')).toEqual([{ kind: 'text', text: '2*3*4' }]);
  });

  it('reads inline code and code blocks without formatting inside them', () => {
    expect(sut('added `*not_bold*`')).toEqual([
      { kind: 'text', text: 'added ' },
      { kind: 'code', text: '*not_bold*' },
    ]);
    expect(sut('*First*\n```id  name\n1   Ada```')).toEqual([
      { kind: 'bold', children: [{ kind: 'text', text: 'First' }] },
      { kind: 'text', text: '\n' },
      { kind: 'pre', text: 'id  name\n1   Ada' },
    ]);
  });

  it('decodes the entities Slack escapes, once', () => {
    expect(sut('a &lt;b&gt; &amp;amp;')).toEqual([{ kind: 'text', text: 'a <b> &amp;' }]);
  });

  it('links only http(s) targets and shows mentions as text', () => {
    expect(sut('<http://x.test/runs/1|run 1>')).toEqual([
      { kind: 'link', href: 'http://x.test/runs/1', label: 'run 1' },
    ]);
    expect(sut('<javascript:alert(1)|click>')).toEqual([{ kind: 'link', href: null, label: 'click' }]);
    expect(sut('cc <@U024BE7LH>')).toEqual([
      { kind: 'text', text: 'cc ' },
      { kind: 'text', text: '@U024BE7LH' },
    ]);
  });
});
