/** What every HTTP-facing folder (server, bot, web) shares: the error shape, credential comparison, HTTPS detection. */
export { errorBody, type ErrorBody, type ErrorCode } from './errorBody';
export { safeEqual } from './safeEqual';
export { isHttps } from './isHttps';
