/** What a client draws over every chat screen when the corp's policy asks for a watermark. */
export interface Watermark {
  enabled: boolean;
  /** The template with this member's values filled in; empty when disabled. */
  text: string;
  /** The corp's template, for clients that re-render `{date}` at midnight. */
  template: string;
}

export function renderWatermark(
  policy: { watermarkEnabled: boolean; watermarkTemplate: string },
  member: { name: string; userid: string; employeeNo: string },
  now: Date,
): Watermark {
  if (!policy.watermarkEnabled) return { enabled: false, text: '', template: policy.watermarkTemplate };
  const values: Record<string, string> = {
    name: member.name,
    userid: member.userid,
    employee_no: member.employeeNo,
    date: now.toISOString().slice(0, 10),
  };
  // One pass, so a member whose name contains "{userid}" is not expanded again.
  const text = policy.watermarkTemplate.replace(/\{(name|userid|employee_no|date)\}/g, (_, key: string) => values[key]);
  return { enabled: true, text: text.replace(/\s+/g, ' ').trim(), template: policy.watermarkTemplate };
}
