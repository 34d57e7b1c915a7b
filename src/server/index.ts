/** The HTTP server: `createServer(deps)` wires the routes; it imports nothing from Bot Framework. */
export { createServer } from './createServer';
export { Metrics } from './Metrics';
