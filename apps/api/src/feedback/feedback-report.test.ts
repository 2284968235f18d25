import { describe, expect, it } from 'vitest';
import { parseFeedbackReport } from './feedback-report.ts';

const report = (reportType: string, parts: string[]): Buffer =>
  Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.net',
      'To: bounces@zweck.test',
      'Subject: report',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=${reportType};\r\n boundary="XYZ"`,
      '',
      ...parts.flatMap((p) => ['--XYZ', p]),
      '--XYZ--',
      '',
    ].join('\r\n'),
  );
const headers = 'Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <abc123@zweck.test>\r\nSubject: Our offer\r\n';

describe('reading what comes back to bounces@', () => {
  it('reads a DSN: the status of the recipient, the action and the original Message-ID, not the address', async () => {
    const parsed = await parseFeedbackReport(
      report('delivery-status', [
        'Content-Type: text/plain\r\n\r\nDelivery failed. Status: 2.0.0 in the human text must not count.\r\n',
        'Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; someone@example.org\r\nAction: failed\r\nStatus: 5.1.1 (no such user)\r\nDiagnostic-Code: smtp; 550 5.1.1 unknown\r\n',
        headers,
      ]),
    );
    expect(parsed).toEqual({
      kind: 'delivery_status',
      messageId: '<abc123@zweck.test>',
      status: '5.1.1',
      action: 'failed',
      diagnostic: 'smtp; 550 5.1.1 unknown',
    });
  });

  it('decodes a base64 status part and reads a soft bounce', async () => {
    const body = Buffer.from(
      'Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; x@example.org\r\nAction: delayed\r\nStatus: 4.2.2\r\n',
    ).toString('base64');
    const parsed = await parseFeedbackReport(
      report('delivery-status', [`Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`, headers]),
    );
    expect(parsed).toMatchObject({ kind: 'delivery_status', status: '4.2.2', action: 'delayed', messageId: '<abc123@zweck.test>' });
  });

  it('reads an ARF complaint with its feedback type and the returned message', async () => {
    const parsed = await parseFeedbackReport(
      report('feedback-report', [
        'Content-Type: text/plain\r\n\r\nAbuse report\r\n',
        'Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: fbl/1.0\r\nVersion: 1\r\n',
        'Content-Type: message/rfc822\r\n\r\nMessage-ID: <abc123@zweck.test>\r\nSubject: Our offer\r\n\r\nHello\r\n',
      ]),
    );
    expect(parsed).toEqual({ kind: 'complaint', messageId: '<abc123@zweck.test>', feedbackType: 'abuse' });
  });

  it('calls anything else not a report: a plain message, a report without its status part', async () => {
    expect(await parseFeedbackReport(Buffer.from('Subject: hi\r\n\r\nStatus: 5.1.1\r\n'))).toEqual({ kind: 'other' });
    expect(await parseFeedbackReport(report('delivery-status', [headers]))).toEqual({ kind: 'other' });
  });
});
