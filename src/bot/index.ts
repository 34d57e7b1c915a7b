/**
 * The Bot Framework side of Ariane. Every `botbuilder` import of the project lives in this folder,
 * so that moving to another SDK (e.g. Microsoft 365 Agents) is one folder's work.
 */
export { ArianeBot, type ArianeBotOptions, type BotEngine, type HandoffDraft, type HandoffOutput, type TurnObserver } from './ArianeBot';
export { languageFromLocale, inputFromActivity, coordinatesOf } from './readActivity';
export { renderOutputs, placeCard, botText, choiceAction, type Translate, type ChoiceValue } from './renderOutputs';
export { createApiMessagesEndpoint, checkActivityBody, type ApiMessagesOptions, type HttpRequestLike, type HttpResponseLike } from './ApiMessagesEndpoint';
export { DirectLineChannel, type DirectLineChannelOptions, type ChannelResponse, type TurnHandler } from './directline/DirectLineChannel';
export { DirectLineAdapter, type BotIdentity } from './directline/DirectLineAdapter';
export { TokenService, type TokenClaims, type TokenCheck } from './directline/TokenService';
