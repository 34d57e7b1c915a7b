/** What every HTTP-facing folder (server, bot, web) shares: the error shape and credential comparison. */
export { errorBody, type ErrorBody, type ErrorCode } from './errorBody';
export { safeEqual } from './safeEqual';
