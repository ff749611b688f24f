export * from './chat';
export * from './errors';
export * from './messages';
export * from './progress';
export * from './resources';
export * from './tools';
export * from './usage';
