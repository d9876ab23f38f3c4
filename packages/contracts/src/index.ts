export * from './names';
export * from './errors';
export * from './datasets';
export * from './destinations';
export * from './runs';
export * from './health';
