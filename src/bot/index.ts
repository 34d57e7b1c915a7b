/**
 * The Bot Framework side of Ariane. Every `botbuilder` import of the project lives in this folder,
 * so that moving to another SDK (e.g. Microsoft 365 Agents) is one folder's work.
 */
export { ArianeBot, languageFromLocale, inputFromActivity, type ArianeBotOptions, type BotEngine, type HandoffOutput, type TurnObserver } from './ArianeBot';
export {
  searchHelp,
  showSearch,
  askWhere,
  placeCard,
  coordinatesOf,
  looksLikeLocation,
  locationFromAnswers,
  CONTINUE_VALUE,
  WHERE_PREFIX,
  PLACES_SHOWN,
  type HelpState,
  type KnownPlace,
} from './searchHelp';
export { KeyValueStorage, isConflict, type KeyValueStorageOptions } from './KeyValueStorage';
export { renderOutputs, botText, choiceAction, type Translate, type ChoiceValue } from './renderOutputs';
export { createApiMessagesEndpoint, checkActivityBody, type ApiMessagesOptions, type HttpRequestLike, type HttpResponseLike } from './ApiMessagesEndpoint';
export { DirectLineChannel, type DirectLineChannelOptions, type ChannelResponse, type TurnHandler } from './directline/DirectLineChannel';
export { DirectLineAdapter, type BotIdentity } from './directline/DirectLineAdapter';
export { TokenService, safeEqual, type TokenClaims, type TokenCheck } from './directline/TokenService';
