// The console's public module: the composition root builds it.
export { consoleModule } from './module.js';
export type { AttentionItems } from './routes.js';
export type { ChannelUsers, SourceChoice, SourceChoices, SubscriberCounts } from './ports.js';
