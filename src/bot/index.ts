/**
 * The Bot Framework side of Ariane. Every `botbuilder` import of the project lives in this folder,
 * so that moving to another SDK (e.g. Microsoft 365 Agents) is one folder's work.
 */
export { ArianeBot } from './ArianeBot';
export { createApiMessagesEndpoint } from './ApiMessagesEndpoint';
export { DirectLineChannel } from './directline/DirectLineChannel';
export { TokenService } from './directline/TokenService';
