import { Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CallerIdentity } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { INVALID_AGENTID, WecomUpdateTemplateCard } from './dto/wecom-card.dto';
import { WecomAccessGuard, WecomAppsOnly } from './wecom-access.guard';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomApp, WecomAppIdentity } from './wecom-app';
import { WecomBody } from './wecom-request';

// One update names at most this many members (a large group is updated with atall, one write).
const MAX_RECIPIENTS = 10_000;
const RESOLVE_PAGE = 2_000;

/** WeCom template cards (消息推送 › 更新模版卡片消息). */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token' })
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@WecomAppsOnly()
@Controller('cgi-bin/message')
export class WecomCardsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /**
   * The app that sent a template card spends a response_code (from message/send or from a click's
   * template_card_event) to turn its buttons into a disabled label (`button.replace_name`) or to
   * replace the card (`template_card`), for atall or for the named members. Viewers see it live.
   */
  @Post('update_template_card')
  @HttpCode(200)
  @ApiBody({ type: WecomUpdateTemplateCard })
  async updateTemplateCard(
    @WecomApp() { caller, agentid }: WecomAppIdentity,
    @WecomBody(WecomUpdateTemplateCard) body: WecomUpdateTemplateCard,
  ) {
    if (body.agentid !== agentid) throw new WecomError(INVALID_AGENTID, 'invalid agentid: not the app of this access_token');
    if (Boolean(body.button) === Boolean(body.template_card))
      throw new WecomError(ERRCODE.INVALID_PARAMETER, 'give exactly one of button and template_card');
    const all = body.atall === 1;
    const { userids, invalid } = all ? { userids: [], invalid: [] } : await this.recipients(caller, body);
    const request = {
      responseCode: body.response_code,
      userids,
      all,
      replaceName: body.button?.replace_name ?? '',
      cardJson: body.template_card ? JSON.stringify(toCardContent(body.template_card)) : '',
    };
    const result = await this.clients.messaging.call('UpdateTemplateCard', (m, md) => m.updateTemplateCard(request, md), caller);
    return { errcode: 0, errmsg: 'ok', invaliduser: [...invalid, ...result.invalidUserids] };
  }

  /** userids, plus the members of partyids (with subtrees) and tagids, as the directory resolves them. */
  private async recipients(caller: CallerIdentity, body: WecomUpdateTemplateCard): Promise<{ userids: string[]; invalid: string[] }> {
    const userids = body.userids ?? [];
    if (!body.partyids?.length && !body.tagids?.length) return { userids, invalid: [] };
    const resolved: string[] = [];
    let invalid: string[] = [];
    let pageToken = '';
    do {
      const page = await this.clients.directory.call(
        'ResolveRecipients',
        (d, md) =>
          d.resolveRecipients(
            {
              userids,
              departmentIds: body.partyids ?? [],
              directDepartmentIds: [],
              tagIds: body.tagids ?? [],
              pageSize: RESOLVE_PAGE,
              pageToken,
            },
            md,
          ),
        caller,
      );
      resolved.push(...page.userids);
      invalid = page.invalidUserids;
      pageToken = page.nextPageToken;
      if (resolved.length > MAX_RECIPIENTS)
        throw new WecomError(ERRCODE.INVALID_USERID_LIST_LENGTH, `more than ${MAX_RECIPIENTS} members; use atall`);
    } while (pageToken);
    return { userids: resolved, invalid };
  }
}

/** WeCom's template_card (button_interaction and the like) as Atrium's template_card content. */
function toCardContent(card: Record<string, unknown>): Record<string, unknown> {
  const main = (card.main_title ?? {}) as { title?: unknown; desc?: unknown };
  const buttons = Array.isArray(card.button_list) ? (card.button_list as { key?: unknown; text?: unknown }[]) : [];
  const description = typeof main.desc === 'string' ? main.desc : typeof card.sub_title_text === 'string' ? card.sub_title_text : '';
  return {
    title: main.title,
    description,
    buttons: buttons.map((b) => ({ key: b.key, text: b.text })),
    ...(typeof card.task_id === 'string' ? { taskId: card.task_id } : {}),
  };
}
