import { DomainError } from '@atrium/platform';
import { assertBurnAllowed, burntFor } from '../src/burn/burn-rules';
import { Conversation } from '../src/conversations/conversation';
import { assertManualMembership } from '../src/department-groups/department-group-rules';
import { fileItemsOf } from '../src/forwarding/forwarding-policy';
import { Message } from '../src/messages/message';
import { contentGone, wireFeatures } from '../src/messages/message-features';
import { FEATURE_POLICY_DEFAULTS, mergeFeaturePolicy } from '../src/policies/feature-policy';

const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  corpId: 'c',
  id: 'conv',
  kind: 'direct',
  name: '',
  owner: 'alice',
  notice: '',
  adminOnly: false,
  whoMayAdd: 'all',
  maxMembers: 2_000,
  lastSeq: 0,
  lastActivityAt: new Date(0),
  dissolved: false,
  memberCount: 2,
  ...over,
});

const message = (over: Partial<Message> = {}): Message => ({
  corpId: 'c',
  conversationId: 'conv',
  seq: 5,
  id: 'm',
  sender: 'alice',
  clientMsgId: 'x',
  type: 'text',
  content: { text: 'hi' },
  sentAt: new Date(0),
  recalledAt: null,
  recalledBy: null,
  ...over,
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { code: (error as DomainError).code, details: (error as DomainError).details };
  }
  return undefined;
};

describe('burn after reading rules', () => {
  it('allows it in direct conversations and refuses groups with a reason', () => {
    expect(codeOf(() => assertBurnAllowed(conversation()))).toBeUndefined();
    expect(codeOf(() => assertBurnAllowed(conversation({ kind: 'group' })))).toEqual({
      code: 'PRECONDITION_FAILED',
      details: { reason: 'BURN_AFTER_READING_DIRECT_ONLY', conversationId: 'conv' },
    });
  });

  it('burns for the recipient once their cursor passes the message, never for the sender', () => {
    const m = message({ burnAfterReading: true });
    expect(burntFor(m, { userid: 'bob', readSeq: 4 })).toBe(false);
    expect(burntFor(m, { userid: 'bob', readSeq: 5 })).toBe(true);
    expect(burntFor(m, { userid: 'alice', readSeq: 9 })).toBe(false);
    expect(burntFor(message(), { userid: 'bob', readSeq: 9 })).toBe(false);
  });

  it('puts the feature fields on the wire and hides gone content', () => {
    expect(wireFeatures(message({ burnAfterReading: true, burntForViewer: true, archiveNotice: 'archived' }))).toEqual({
      burnAfterReading: true,
      burnt: true,
      forwardedFrom: undefined,
      expired: false,
      archiveNotice: 'archived',
    });
    expect(contentGone(message({ expiredAt: new Date() }))).toBe(true);
    expect(contentGone(message())).toBe(false);
  });
});

describe('file forwarding', () => {
  it('finds media files with their original sender, inside merged forwards too', () => {
    expect(fileItemsOf(message({ type: 'image', content: { mediaId: 'm1' } }))).toEqual([{ type: 'image', originalSender: 'alice' }]);
    expect(
      fileItemsOf(
        message({
          type: 'file',
          content: { mediaId: 'm1', name: 'a.pdf', size: 1 },
          forwardedFrom: { conversationId: 'o', seq: 1, sender: 'zoe', sentAt: '', messageId: 'x' },
        }),
      ),
    ).toEqual([{ type: 'file', originalSender: 'zoe' }]);
    expect(fileItemsOf(message())).toEqual([]);
    const record = message({
      type: 'chat_record',
      content: {
        title: 't',
        items: [
          { sender: 'bob', type: 'text', content: { text: 'x' } },
          { sender: 'carol', type: 'video', content: { mediaId: 'v', durationSeconds: 3 } },
        ],
      },
    });
    expect(fileItemsOf(record)).toEqual([{ type: 'video', originalSender: 'carol' }]);
  });
});

describe('feature policy', () => {
  it('keeps the current value of an absent field and validates the rest', () => {
    const current = { ...FEATURE_POLICY_DEFAULTS, messageRetentionDays: 30 };
    expect(mergeFeaturePolicy({ fileForwarding: 'internal_only' }, current)).toEqual({ ...current, fileForwarding: 'internal_only' });
    expect(codeOf(() => mergeFeaturePolicy({ fileForwarding: 'nowhere' }, current))?.code).toBe('VALIDATION_FAILED');
    expect(codeOf(() => mergeFeaturePolicy({ messageRetentionDays: -1 }, current))?.code).toBe('VALIDATION_FAILED');
    expect(codeOf(() => mergeFeaturePolicy({ burnTtlSeconds: 10 }, current))?.code).toBe('VALIDATION_FAILED');
    expect(mergeFeaturePolicy({ messageRetentionDays: 0, archiveNotice: '' }, current)).toMatchObject({
      messageRetentionDays: 0,
      archiveNotice: '',
    });
  });
});

describe('department groups', () => {
  it('refuse manual membership changes', () => {
    expect(codeOf(() => assertManualMembership(conversation({ kind: 'group' })))).toBeUndefined();
    expect(codeOf(() => assertManualMembership(conversation({ kind: 'group', departmentId: 7 })))).toEqual({
      code: 'PRECONDITION_FAILED',
      details: { reason: 'DEPARTMENT_GROUP', departmentId: 7 },
    });
  });
});
