import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiResponse } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ErrorResponse } from '../http/error.response';
import { ConversationIdParam } from './dto/conversation.dto';
import { CreateDepartmentGroupRequest, ForwardMessagesRequest, ReportScreenshotRequest } from './dto/messaging-features.dto';
import { toMessageResponse } from './messaging.mapper';

/**
 * Screenshot notices, forwarding and department groups. Burn after reading is a flag of
 * `POST /conversations/{id}/messages` (`burnAfterReading`, direct conversations only).
 */
@AuthenticatedApi('messaging', {
  forbidden:
    "FORBIDDEN: the corp's file forwarding policy (details.policy, details.value), or an admin scope that does not cover the department",
  notFound: 'not a conversation of yours, or a message you cannot see',
})
@ApiResponse({
  status: 412,
  type: ErrorResponse,
  description: 'PRECONDITION_FAILED: details.reason RECALLED, BURN_AFTER_READING, EXPIRED or SYSTEM_MESSAGE (cannot be forwarded)',
})
@Controller('api/v1')
export class MessagingFeaturesHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /** A system message every member sees in order; one per 10 s per conversation (429 RATE_LIMITED otherwise). */
  @Post('conversations/:id/screenshots')
  @ApiCreatedResponse({ description: 'The system message, and whether this call created it (false on a repeat of clientMsgId)' })
  @ApiResponse({ status: 429, type: ErrorResponse, description: 'RATE_LIMITED: details.retryAfterSeconds' })
  async screenshot(@Param() { id }: ConversationIdParam, @Body() b: ReportScreenshotRequest) {
    const { message, created } = await this.clients.messaging.call('ReportScreenshot', (m, md) =>
      m.reportScreenshot({ conversationId: id, clientMsgId: b.clientMsgId }, md),
    );
    return { message: toMessageResponse(message), created };
  }

  /** Into conversation `id`: one by one (each with `forwardedFrom`) or merged into one chat record. */
  @Post('conversations/:id/forward')
  async forward(@Param() { id }: ConversationIdParam, @Body() b: ForwardMessagesRequest) {
    const request = { conversationId: id, clientMsgId: b.clientMsgId, messages: b.messages, mode: b.mode ?? 'separate' };
    const { messages, created } = await this.clients.messaging.call('ForwardMessages', (m, md) => m.forwardMessages(request, md));
    return { messages: messages.map(toMessageResponse), created };
  }

  /** Super admins, or admins whose scope covers the department; its members then follow the directory. */
  @Post('department-groups')
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'The department group conversation' })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'LIMIT_EXCEEDED: more members than the corp’s group cap' })
  async createDepartmentGroup(@Body() b: CreateDepartmentGroupRequest) {
    const request = { departmentId: b.departmentId, subtree: b.subtree ?? false, name: b.name ?? '' };
    return this.clients.messaging.call('CreateDepartmentGroup', (m, md) => m.createDepartmentGroup(request, md));
  }
}
