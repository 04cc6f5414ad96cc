import { assertUploadAllowed, checkMediaLimits, DEFAULT_MEDIA_LIMITS, extensionOf } from './media-limits';

const MB = 1024 * 1024;

/** What a call throws, for matching its code and details. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('media limits', () => {
  it("defaults to WeCom's sizes and blocks Windows programs and scripts", () => {
    expect(DEFAULT_MEDIA_LIMITS).toMatchObject({
      maxImageBytes: 10 * MB,
      maxVoiceBytes: 2 * MB,
      maxVideoBytes: 10 * MB,
      maxFileBytes: 20 * MB,
    });
    expect(DEFAULT_MEDIA_LIMITS.blockedExtensions).toEqual(expect.arrayContaining(['exe', 'bat', 'cmd', 'scr', 'msi', 'vbs', 'ps1']));
  });

  it('accepts sizes up to the ceiling and normalises extensions', () => {
    const limits = checkMediaLimits(
      { ...DEFAULT_MEDIA_LIMITS, maxFileBytes: 100 * MB, blockedExtensions: ['.EXE', 'bat', 'exe'] },
      100 * MB,
    );
    expect(limits).toMatchObject({ maxFileBytes: 100 * MB, blockedExtensions: ['bat', 'exe'] });
  });

  it('refuses sizes past the ceiling or below one byte, and malformed extensions', () => {
    expect(thrown(() => checkMediaLimits({ ...DEFAULT_MEDIA_LIMITS, maxVideoBytes: 101 * MB }, 100 * MB))).toMatchObject({
      details: { field: 'media_limits.max_video_bytes', max: 100 * MB },
    });
    expect(() => checkMediaLimits({ ...DEFAULT_MEDIA_LIMITS, maxImageBytes: 0 }, 100 * MB)).toThrow('max_image_bytes');
    expect(() => checkMediaLimits({ ...DEFAULT_MEDIA_LIMITS, blockedExtensions: ['tar.gz'] }, 100 * MB)).toThrow('blocked_extensions');
  });

  it('holds an upload to the limit of its type and the blocked extensions', () => {
    expect(thrown(() => assertUploadAllowed(DEFAULT_MEDIA_LIMITS, { type: 'voice', size: 2 * MB + 1, name: 'a.amr' }))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { maxBytes: 2 * MB, type: 'voice' },
    });
    expect(thrown(() => assertUploadAllowed(DEFAULT_MEDIA_LIMITS, { type: 'file', size: 10, name: 'Setup.Exe' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reason: 'BLOCKED_EXTENSION' },
    });
    expect(() => assertUploadAllowed(DEFAULT_MEDIA_LIMITS, { type: 'file', size: 20 * MB, name: 'exe' })).not.toThrow();
  });

  it('reads the extension of a name', () => {
    expect([extensionOf('a.tar.GZ'), extensionOf('.bashrc'), extensionOf('noext'), extensionOf('dot.')]).toEqual(['gz', '', '', '']);
  });
});
