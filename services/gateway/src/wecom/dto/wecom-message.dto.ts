import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ERRCODE } from '../wecom-error';
import { WECOM_MSGTYPES } from '../wecom-message-content';
import { WecomErrcodes } from '../wecom-request';
import { INT32_MAX, USERID, WecomInt } from './wecom-fields';

/** WeCom's chatid: letters and digits, at most 32 (a number is taken as its digits). */
export const CHATID = /^[0-9a-zA-Z]+$/;
// "toparty": 1 works on WeCom: a lone id may come as a number.
const Digits = () => Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value));

const CHATID_ERRCODES: WecomErrcodes = { chatid: ERRCODE.INVALID_CHATID, 'chatid.maxLength': ERRCODE.CHATID_TOO_LONG };

/** msgtype and the object named after it (each kept by its decorator; the mapper reads the one named). */
class WecomMessageBody {
  @ApiProperty({ enum: WECOM_MSGTYPES })
  @IsString()
  @IsIn(WECOM_MSGTYPES)
  msgtype!: (typeof WECOM_MSGTYPES)[number];

  @ApiPropertyOptional({ enum: [0, 1, 2], description: 'Accepted; Atrium applies no confidentiality mode to app messages yet' })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1, 2])
  safe?: number;

  @ApiPropertyOptional({ example: { content: 'Your parcel has arrived' } }) @IsOptional() @IsObject() text?: object;
  @ApiPropertyOptional({ example: { media_id: 'MEDIA_ID' } }) @IsOptional() @IsObject() image?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() voice?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() video?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() file?: object;
  @ApiPropertyOptional({ example: { title: 'Award', description: 'Details', url: 'https://example.com', btntxt: 'More' } })
  @IsOptional()
  @IsObject()
  textcard?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() news?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() markdown?: object;
  @ApiPropertyOptional() @IsOptional() @IsObject() template_card?: object;
}

export class WecomMessageSend extends WecomMessageBody {
  static readonly errcodes: WecomErrcodes = {
    'msgtype.missing': ERRCODE.INVALID_MSGTYPE,
    msgtype: ERRCODE.INVALID_MSGTYPE,
    'agentid.missing': ERRCODE.MISSING_AGENTID,
    agentid: ERRCODE.INVALID_AGENTID,
    touser: ERRCODE.INVALID_USERID_LIST,
    toparty: ERRCODE.INVALID_DEPARTMENT_LIST,
    totag: ERRCODE.INVALID_TAG_ID,
  };

  @ApiPropertyOptional({ description: 'Userids joined by "|" (at most 1000), or "@all": everyone in the app\'s visible range' })
  @IsOptional()
  @IsString()
  @MaxLength(70_000)
  touser?: string;

  @ApiPropertyOptional({ description: 'Department ids joined by "|" (at most 100), with their subtrees' })
  @IsOptional()
  @Digits()
  @IsString()
  @MaxLength(1_200)
  toparty?: string;

  @ApiPropertyOptional({ description: 'Tag ids joined by "|" (at most 100)' })
  @IsOptional()
  @Digits()
  @IsString()
  @MaxLength(1_200)
  totag?: string;

  @ApiProperty({ description: "The app of the access token's secret", example: 1000002 })
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  agentid!: number;

  @ApiPropertyOptional({ enum: [0, 1] })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1])
  enable_duplicate_check?: number;

  @ApiPropertyOptional({ description: 'Seconds, default 1800, at most 14400 (4 h)' })
  @IsOptional()
  @WecomInt()
  @Min(1)
  @Max(14_400)
  duplicate_check_interval?: number;
}

export class WecomMessageRecall {
  static readonly errcodes: WecomErrcodes = { msgid: ERRCODE.INVALID_PARAMETER };

  @ApiProperty({ description: 'msgid of message/send' })
  @IsString()
  @Length(1, 64)
  msgid!: string;
}

export class WecomAppchatCreate {
  static readonly errcodes: WecomErrcodes = {
    ...CHATID_ERRCODES,
    name: ERRCODE.INVALID_CHAT_NAME,
    owner: ERRCODE.INVALID_CHAT_OWNER,
    userlist: ERRCODE.INVALID_CHAT_MEMBER,
    'userlist.missing': ERRCODE.INVALID_CHAT_MEMBER_COUNT,
    'userlist.arrayMinSize': ERRCODE.INVALID_CHAT_MEMBER_COUNT,
    'userlist.arrayMaxSize': ERRCODE.INVALID_CHAT_MEMBER_COUNT,
  };

  @ApiPropertyOptional({ description: 'At most 50 characters (longer is cut)' })
  @IsOptional()
  @IsString()
  @MaxLength(1_024)
  name?: string;

  @ApiPropertyOptional({ description: 'One of userlist; a random member when absent' })
  @IsOptional()
  @IsString()
  @Matches(USERID)
  owner?: string;

  @ApiProperty({ type: [String], description: "2-2000 members in the app's visible range" })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2_000)
  @IsString({ each: true })
  @Matches(USERID, { each: true })
  userlist!: string[];

  @ApiPropertyOptional({ description: '1-32 letters and digits, unique in the corp; generated when absent' })
  @IsOptional()
  @Digits()
  @IsString()
  @MaxLength(32)
  @Matches(CHATID)
  chatid?: string;
}

export class WecomAppchatUpdate {
  static readonly errcodes: WecomErrcodes = {
    ...CHATID_ERRCODES,
    name: ERRCODE.INVALID_CHAT_NAME,
    owner: ERRCODE.INVALID_CHAT_OWNER,
    add_user_list: ERRCODE.INVALID_CHAT_MEMBER,
    del_user_list: ERRCODE.INVALID_CHAT_MEMBER,
  };

  @ApiProperty()
  @Digits()
  @IsString()
  @MaxLength(32)
  @Matches(CHATID)
  chatid!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 1_024)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(USERID)
  owner?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2_000)
  @IsString({ each: true })
  @Matches(USERID, { each: true })
  add_user_list?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2_000)
  @IsString({ each: true })
  @Matches(USERID, { each: true })
  del_user_list?: string[];
}

export class WecomAppchatQuery {
  static readonly errcodes: WecomErrcodes = CHATID_ERRCODES;

  @ApiProperty()
  @IsString()
  @MaxLength(32)
  @Matches(CHATID)
  chatid!: string;
}

export class WecomAppchatSend extends WecomMessageBody {
  static readonly errcodes: WecomErrcodes = {
    ...CHATID_ERRCODES,
    'msgtype.missing': ERRCODE.INVALID_MSGTYPE,
    msgtype: ERRCODE.INVALID_MSGTYPE,
  };

  @ApiProperty()
  @Digits()
  @IsString()
  @MaxLength(32)
  @Matches(CHATID)
  chatid!: string;
}
