/** The HTTP server: `createServer(deps)` wires the routes; it imports nothing from Bot Framework. */
export { createServer, type ServerDeps, type DirectLineRoutes, type RouteResponse, type ReadinessReport } from './createServer';
export { readJsonBody, type BodyResult } from './readJsonBody';
export { Metrics, type TurnChannel } from './Metrics';
