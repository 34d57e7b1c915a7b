/** Anonymous per-node statistics of the flows (where people get stuck), for the admins' pages. */
export { NodeStats, recordTurn, type NodeCounters } from './NodeStats';
