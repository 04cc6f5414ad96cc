export { gatewayService } from './gateway.service-definition';
export { loadGatewayConfig, type GatewayConfig } from './config';
/** The WeCom token store, for tests that need an aged token. */
export { WecomTokens, type AppGrant } from './wecom/wecom-tokens';
/** Embedded mode waits for the gateway to know the corp it has just seeded before it prints its URL. */
export { KnownCorpsCatchUp } from './corps/known-corps.catch-up';
export { GATEWAY_CONFIG } from './config';
export { previewOpenApiDocument } from './http/openapi-preview';
