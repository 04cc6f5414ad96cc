import { AppMessageRecalled, AppMessageSent, EventDefinition, EventEnvelope, EventPayload } from '@atrium/contracts';
import { recordFromEvent } from './event-records';

const envelope = <T>(definition: EventDefinition<T>, payload: T): EventEnvelope => ({
  id: '0b9f5a3e-1c52-4a8e-9d0f-3f1b7a2c9e11',
  type: definition.type,
  version: 1,
  corpId: 'c1',
  occurredAt: '2026-11-25T01:00:01.000Z',
  payload,
});

const sent = (deliveries: EventPayload<typeof AppMessageSent>['deliveries']): EventPayload<typeof AppMessageSent> => ({
  corpId: 'c1',
  msgid: 'm1',
  sender: 'app:1000002',
  type: 'text',
  content: { text: '季度报告 ready', mentions: [], mentionAll: false },
  sentAt: '2026-11-25T01:00:00.000Z',
  part: 1,
  parts: 1,
  deliveries,
});

describe("the archive's records of app messages", () => {
  it('archives a part of a send as one searchable message record by the app', () => {
    const draft = recordFromEvent(
      envelope(
        AppMessageSent,
        sent([
          { userid: 'alice', conversationId: 'conv-a', messageId: 'x1', seq: 1 },
          { userid: 'bob', conversationId: 'conv-b', messageId: 'x2', seq: 4 },
        ]),
      ),
      AppMessageSent,
    );
    expect(draft).toMatchObject({
      kind: 'message',
      eventType: 'messaging.app_message.sent',
      actor: 'app:1000002',
      messageType: 'text',
      occurredAt: new Date('2026-11-25T01:00:00.000Z'),
      conversationId: '',
    });
    expect(draft?.searchText).toContain('季度报告 ready');
  });

  it('files a single-recipient send under its conversation', () => {
    const draft = recordFromEvent(
      envelope(AppMessageSent, sent([{ userid: 'alice', conversationId: 'conv-a', messageId: 'x1', seq: 1 }])),
      AppMessageSent,
    );
    expect(draft?.conversationId).toBe('conv-a');
  });

  it('archives a recall as a message record by the app', () => {
    const payload = {
      corpId: 'c1',
      msgid: 'm1',
      sender: 'app:1000002',
      part: 1,
      parts: 1,
      recalls: [{ conversationId: 'conv-a', messageId: 'x1', seq: 1 }],
    };
    expect(recordFromEvent(envelope(AppMessageRecalled, payload), AppMessageRecalled)).toMatchObject({
      kind: 'message',
      actor: 'app:1000002',
    });
  });
});
