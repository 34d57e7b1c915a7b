/**
 * What every HTTP-facing folder shares: the error shape, credential comparison, HTTPS detection, the
 * client's address behind our proxies, and the data syncs' download.
 */
export { errorBody } from './errorBody';
export { safeEqual } from './safeEqual';
export { isHttps } from './isHttps';
export { ClientAddresses } from './ClientAddresses';
export { download, DownloadError, type DownloadOptions, type DownloadResult } from './download';
