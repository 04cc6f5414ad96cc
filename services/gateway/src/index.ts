export { gatewayService } from './gateway.service-definition';
export { loadGatewayConfig, type GatewayConfig } from './config';
/** The WeCom token store, for tests that need an aged token. */
export { WecomTokens, type AppGrant } from './wecom/wecom-tokens';
