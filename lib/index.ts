export * from './events';
export * from './states';
export { parseWebhook, detectSource, WEBHOOK_SOURCES, type WebhookSource, type ParseResult } from './sources/parse';
export { StatusStore, type ListFilter } from './store/store';
export { track, DEFAULT_TRACK_OPTIONS, type TrackOptions, type TrackResult, type TrackOutcome } from './tracker/track';
export { reduce, type ReduceOptions } from './tracker/reduce';
export { toSnapshot } from './tracker/snapshot';
export { summarise } from './tracker/summary';
export type * from './tracker/model';
