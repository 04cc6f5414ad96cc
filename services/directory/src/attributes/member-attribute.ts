export const ATTRIBUTE_TYPES = ['text', 'url'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** A custom member attribute a corp defines (WeCom's 扩展属性); members carry values of these only. */
export interface MemberAttribute {
  name: string;
  type: AttributeType;
  order: number;
}

/** An attribute value as a request gives it: the type may be left to the definition. */
export interface ExtAttrInput {
  name: string;
  type?: string;
  value: string;
  title?: string;
}
