import { renderWatermark } from './watermark';

describe('renderWatermark', () => {
  const member = { name: '张三', userid: 'zhangsan', employeeNo: 'E1024' };
  const now = new Date('2026-11-25T08:00:00Z');

  it('fills every placeholder once', () => {
    expect(renderWatermark({ watermarkEnabled: true, watermarkTemplate: '{name} {employee_no} {userid} {date}' }, member, now)).toEqual({
      enabled: true,
      text: '张三 E1024 zhangsan 2026-11-25',
      template: '{name} {employee_no} {userid} {date}',
    });
  });

  it('does not expand placeholders that come from member data', () => {
    const sneaky = { ...member, name: '{userid}' };
    expect(renderWatermark({ watermarkEnabled: true, watermarkTemplate: '{name}' }, sneaky, now).text).toBe('{userid}');
  });

  it('collapses the gap an empty value leaves, and is empty when disabled', () => {
    const noNumber = { ...member, employeeNo: '' };
    expect(renderWatermark({ watermarkEnabled: true, watermarkTemplate: '{name} {employee_no} 内部资料' }, noNumber, now).text).toBe(
      '张三 内部资料',
    );
    expect(renderWatermark({ watermarkEnabled: false, watermarkTemplate: '{name}' }, member, now)).toEqual({
      enabled: false,
      text: '',
      template: '{name}',
    });
  });
});
