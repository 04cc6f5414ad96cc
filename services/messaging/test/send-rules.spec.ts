import { DomainError } from '@atrium/platform';
import { Conversation, ConversationMember } from '../src/conversations/conversation';
import { assertMayPost, assertOpenToMembers, PostAttempt, postAttemptOf } from '../src/messages/send-rules';

const group = (over: Partial<Conversation> = {}): Conversation => ({
  corpId: 'c',
  id: 'conv',
  kind: 'group',
  name: 'team',
  owner: 'alice',
  notice: '',
  adminOnly: false,
  whoMayAdd: 'all',
  maxMembers: 2_000,
  lastSeq: 0,
  lastActivityAt: new Date(0),
  dissolved: false,
  memberCount: 3,
  ...over,
});

const member = (over: Partial<ConversationMember> = {}): ConversationMember => ({
  userid: 'bob',
  role: 'member',
  joinedSeq: 0,
  readSeq: 0,
  mutedUntil: null,
  pinned: false,
  notificationsMuted: false,
  ...over,
});

const text = (over: Partial<PostAttempt> = {}): PostAttempt => ({ burnAfterReading: false, mentionsEveryone: false, ...over });
const NOW = new Date('2026-12-07T12:00:00Z');

/** The refusal a rule throws, as the transports see it; undefined when the post is allowed. */
function refusal(check: () => void): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
}

describe('who may post in a conversation', () => {
  it('lets a member post in a live group or direct chat', () => {
    expect(refusal(() => assertOpenToMembers(group()))).toBeUndefined();
    expect(refusal(() => assertOpenToMembers(group({ kind: 'direct' })))).toBeUndefined();
  });

  it('refuses a dissolved group as PRECONDITION_FAILED', () => {
    expect(refusal(() => assertOpenToMembers(group({ dissolved: true })))).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'the group has been dissolved',
      details: { conversationId: 'conv', reason: 'DISSOLVED' },
    });
  });

  it("refuses a member's post in an app conversation: only the app posts there", () => {
    expect(refusal(() => assertOpenToMembers(group({ kind: 'app' })))).toEqual({
      code: 'FORBIDDEN',
      message: 'an app conversation is read-only: only the app posts in it',
      details: { conversationId: 'conv', reason: 'APP_CONVERSATION' },
    });
  });

  it('lets only the owner and admins post in an admin-only group', () => {
    const adminOnly = group({ adminOnly: true });
    expect(refusal(() => assertMayPost(adminOnly, member(), text(), NOW))).toEqual({
      code: 'FORBIDDEN',
      message: 'only the owner and group admins may post here',
      details: { conversationId: 'conv' },
    });
    expect(refusal(() => assertMayPost(adminOnly, member({ role: 'admin' }), text(), NOW))).toBeUndefined();
    expect(refusal(() => assertMayPost(adminOnly, member({ role: 'owner' }), text(), NOW))).toBeUndefined();
  });

  it('refuses a muted member until the mute ends, and says until when', () => {
    const until = new Date(NOW.getTime() + 60_000);
    expect(refusal(() => assertMayPost(group(), member({ mutedUntil: until }), text(), NOW))).toEqual({
      code: 'FORBIDDEN',
      message: `you are muted in this group until ${until.toISOString()}`,
      details: { mutedUntil: until.toISOString() },
    });
    expect(refusal(() => assertMayPost(group(), member({ mutedUntil: until }), text(), until))).toBeUndefined();
    expect(refusal(() => assertMayPost(group(), member({ mutedUntil: new Date(NOW.getTime() - 1) }), text(), NOW))).toBeUndefined();
  });

  it('mutes owners and admins too', () => {
    const until = new Date(NOW.getTime() + 1);
    expect(refusal(() => assertMayPost(group(), member({ role: 'owner', mutedUntil: until }), text(), NOW))?.code).toBe('FORBIDDEN');
  });

  it('lets only the owner and admins mention everyone', () => {
    const all = postAttemptOf({ type: 'text', content: { text: '@all', mentionAll: true }, burnAfterReading: false });
    expect(refusal(() => assertMayPost(group(), member(), all, NOW))).toEqual({
      code: 'FORBIDDEN',
      message: 'only the owner and group admins may mention everyone',
      details: undefined,
    });
    expect(refusal(() => assertMayPost(group(), member({ role: 'admin' }), all, NOW))).toBeUndefined();
    // Only a text message can mention anyone; the flag means nothing on another type.
    const image = postAttemptOf({ type: 'image', content: { mediaId: 'm', mentionAll: true }, burnAfterReading: false });
    expect(refusal(() => assertMayPost(group(), member(), image, NOW))).toBeUndefined();
  });

  it('allows burn after reading in direct chats only', () => {
    const burn = text({ burnAfterReading: true });
    expect(refusal(() => assertMayPost(group({ kind: 'direct' }), member(), burn, NOW))).toBeUndefined();
    expect(refusal(() => assertMayPost(group(), member(), burn, NOW))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      details: { reason: 'BURN_AFTER_READING_DIRECT_ONLY', conversationId: 'conv' },
    });
  });
});
