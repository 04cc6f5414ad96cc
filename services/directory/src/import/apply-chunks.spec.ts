import { ApplyChunks, ChunkSizer } from './apply-chunks';
import { MemberChange } from './members-import';

const change = (userid: string, group: number) => ({ member: { userid }, group }) as unknown as MemberChange;
const userids = (chunk: MemberChange[]) => chunk.map((c) => c.member.userid);

describe('ApplyChunks', () => {
  it('takes whole groups of at least the asked size, in order, until none is left', () => {
    const chunks = new ApplyChunks([change('a', 0), change('b', 1), change('c', 0), change('d', 2), change('e', 3)]);
    expect(userids(chunks.take(1))).toEqual(['a', 'c']);
    expect(chunks.done).toBe(false);
    expect(userids(chunks.take(2))).toEqual(['b', 'd']);
    expect(userids(chunks.take(5))).toEqual(['e']);
    expect(chunks.done).toBe(true);
  });
});

describe('ChunkSizer', () => {
  const bounds = { initial: 100, min: 10, max: 1_000 };

  it('cuts at once to what the last chunk’s rate allows when a chunk ran over the target', () => {
    const sizer = new ChunkSizer(250, bounds);
    expect(sizer.record(100, 2_500)).toBe(10);
  });

  it('grows at most twofold per chunk when chunks are quick, up to its maximum', () => {
    const sizer = new ChunkSizer(250, bounds);
    expect(sizer.record(100, 10)).toBe(200);
    expect(sizer.record(200, 10)).toBe(400);
    expect(sizer.record(400, 10)).toBe(800);
    expect(sizer.record(800, 10)).toBe(1_000);
  });

  it('settles on the size that takes about the target', () => {
    const sizer = new ChunkSizer(250, bounds);
    expect(sizer.record(100, 500)).toBe(50);
    expect(sizer.record(50, 250)).toBe(50);
  });
});
