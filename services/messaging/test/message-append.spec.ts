import { Message } from '../src/messages/message';
import { Append } from '../src/messages/message-appender';

const message = (conversationId: string, seq: number, sender = 'ann'): Message => ({
  corpId: 'c',
  conversationId,
  seq,
  id: `${conversationId}-${seq}`,
  sender,
  clientMsgId: `${sender}-${conversationId}-${seq}`,
  type: 'text',
  content: { text: 'hi' },
  sentAt: new Date(0),
  recalledAt: null,
  recalledBy: null,
});

describe('an append hands out sequence numbers', () => {
  it('gives each conversation the seqs after its locked end, one after another', () => {
    const append = new Append([
      { corpId: 'c', conversationId: 'a', lastSeq: 4 },
      { corpId: 'c', conversationId: 'b', lastSeq: 0 },
      // The same conversation locked for a second send of the group: its end is read once.
      { corpId: 'c', conversationId: 'a', lastSeq: 4 },
    ]);
    for (const id of ['a', 'b', 'a', 'a']) append.add(message(id, append.nextSeq('c', id)));
    const { ends, messages } = append.contents();
    expect(messages.map((m) => `${m.conversationId}${m.seq}`)).toEqual(['a5', 'b1', 'a6', 'a7']);
    expect(ends).toEqual([
      { corpId: 'c', conversationId: 'a', lastSeq: 7 },
      { corpId: 'c', conversationId: 'b', lastSeq: 1 },
    ]);
  });

  it('refuses a message whose seq is not the next one, and leaves the append as it was', () => {
    const append = new Append([{ corpId: 'c', conversationId: 'a', lastSeq: 4 }]);
    expect(() => append.add(message('a', 4))).toThrow('message seq 4 does not follow 4 in conversation a');
    expect(() => append.add(message('a', 6))).toThrow('message seq 6 does not follow 4');
    expect(append.contents()).toEqual({ ends: [], messages: [], cursors: [], events: [] });
    expect(append.nextSeq('c', 'a')).toBe(5);
  });

  it('refuses a conversation the transaction did not lock', () => {
    const append = new Append([{ corpId: 'c', conversationId: 'a', lastSeq: 0 }]);
    expect(() => append.nextSeq('c', 'b')).toThrow('conversation b is not locked for this append');
    expect(() => append.nextSeq('other-corp', 'a')).toThrow('not locked');
  });

  it("moves each member sender's cursor to their last message, not an app's", () => {
    const append = new Append([{ corpId: 'c', conversationId: 'a', lastSeq: 0 }]);
    append.add(message('a', 1, 'ann'));
    append.add(message('a', 2, 'ben'));
    append.add(message('a', 3, 'ann'));
    append.add(message('a', 4, 'app:1000002'), { senderIsMember: false });
    expect(append.cursorOf('c', 'a', 'ann')).toBe(3);
    expect(append.cursorOf('c', 'a', 'app:1000002')).toBeUndefined();
    expect(append.contents().cursors).toEqual([
      { corpId: 'c', conversationId: 'a', userid: 'ann', seq: 3 },
      { corpId: 'c', conversationId: 'a', userid: 'ben', seq: 2 },
    ]);
  });

  it('announces each message once unless its sender announces it otherwise', () => {
    const append = new Append([{ corpId: 'c', conversationId: 'a', lastSeq: 0 }]);
    append.add(message('a', 1));
    append.add(message('a', 2), { sentEvent: false });
    expect(append.contents().events).toHaveLength(1);
  });
});
