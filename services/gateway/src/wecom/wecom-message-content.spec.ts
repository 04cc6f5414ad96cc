import { WecomError } from './wecom-error';
import { toAppContent, WecomMsgtype } from './wecom-message-content';

const errcodeOf = (msgtype: WecomMsgtype, body: unknown): number | undefined => {
  try {
    toAppContent(msgtype, body);
    return undefined;
  } catch (error) {
    if (error instanceof WecomError) return error.errcode;
    throw error;
  }
};

describe("WeCom app message bodies as Atrium's message content", () => {
  it('maps each msgtype to its content, dropping fields Atrium does not model', () => {
    expect(toAppContent('text', { content: '你好', enable_id_trans: 1 })).toEqual({ type: 'text', content: { text: '你好' } });
    expect(toAppContent('markdown', { content: '**bold**' })).toEqual({ type: 'markdown', content: { content: '**bold**' } });
    expect(toAppContent('image', { media_id: 'M1' })).toEqual({ type: 'image', content: { mediaId: 'M1' } });
    expect(toAppContent('file', { media_id: 'F1' })).toEqual({ type: 'file', content: { mediaId: 'F1' } });
    expect(toAppContent('textcard', { title: 'T', description: 'D', url: 'https://a.test/x', btntxt: 'More info' })).toEqual({
      type: 'textcard',
      content: { title: 'T', description: 'D', url: 'https://a.test/x', btntxt: 'More' },
    });
    expect(
      toAppContent('news', {
        articles: [
          { title: 'A', url: 'https://a.test', picurl: 'https://a.test/p.png' },
          { title: 'B', appid: 'wx1', pagepath: 'p' },
        ],
      }),
    ).toEqual({
      type: 'news',
      content: {
        articles: [
          { title: 'A', description: '', url: 'https://a.test', picurl: 'https://a.test/p.png' },
          { title: 'B', description: '', appid: 'wx1', pagepath: 'p' },
        ],
      },
    });
  });

  it('maps a button card to title, description, keyed buttons and the task id', () => {
    const card = {
      card_type: 'button_interaction',
      main_title: { title: 'Leave request', desc: 'Zhang San, 2 days' },
      sub_title_text: 'Please decide',
      task_id: 'task-1',
      button_list: [
        { text: 'Approve', key: 'yes', style: 1 },
        { text: 'Open', type: 1, url: 'https://a.test' },
        { text: 'Reject', key: 'no' },
      ],
    };
    expect(toAppContent('template_card', card)).toEqual({
      type: 'template_card',
      content: {
        title: 'Leave request',
        description: 'Zhang San, 2 days\nPlease decide',
        buttons: [
          { key: 'yes', text: 'Approve' },
          { key: 'no', text: 'Reject' },
        ],
        taskId: 'task-1',
      },
    });
  });

  it.each<[string, WecomMsgtype, unknown, number]>([
    ['an empty text', 'text', { content: '' }, 44004],
    ['a text over 2048 bytes (683 Chinese characters)', 'text', { content: '字'.repeat(683) }, 45002],
    ['markdown over 2048 bytes', 'markdown', { content: 'x'.repeat(2_049) }, 45002],
    ['an image without media_id', 'image', {}, 41006],
    ['a media_id that is not a string', 'voice', { media_id: 7 }, 40007],
    ['a textcard without title', 'textcard', { description: 'D', url: 'https://a.test' }, 41016],
    ['a textcard without description', 'textcard', { title: 'T', url: 'https://a.test' }, 41033],
    ['a textcard without url', 'textcard', { title: 'T', description: 'D' }, 41010],
    ['a textcard url without scheme', 'textcard', { title: 'T', description: 'D', url: 'a.test' }, 45034],
    ['a textcard title over 128 bytes', 'textcard', { title: 'x'.repeat(129), description: 'D', url: 'https://a.test' }, 45002],
    ['news without articles', 'news', { articles: [] }, 45008],
    ['news with nine articles', 'news', { articles: Array.from({ length: 9 }, () => ({ title: 'A', url: 'https://a.test' })) }, 45008],
    ['an article without url or mini program', 'news', { articles: [{ title: 'A' }] }, 41010],
    ['a vote card', 'template_card', { card_type: 'vote_interaction', main_title: { title: 'T' } }, 42031],
    ['a card without any title', 'template_card', { card_type: 'text_notice' }, 42033],
    ['a button card without task_id', 'template_card', { card_type: 'button_interaction', main_title: { title: 'T' } }, 42014],
    [
      'a button without key',
      'template_card',
      { card_type: 'button_interaction', task_id: 't', main_title: { title: 'T' }, button_list: [{ text: 'Go' }] },
      42039,
    ],
    ['a message object that is not an object', 'text', 'hello', 40058],
  ])('refuses %s', (_, msgtype, body, errcode) => {
    expect(errcodeOf(msgtype, body)).toBe(errcode);
  });

  it('counts the limits in bytes: 682 Chinese characters (2046 bytes) are a valid text', () => {
    expect(errcodeOf('text', { content: '字'.repeat(682) })).toBeUndefined();
  });
});
