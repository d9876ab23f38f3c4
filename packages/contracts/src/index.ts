export * from './names';
export * from './errors';
export * from './datasets';
export * from './destinations';
export * from './runs';
export * from './health';
export * from './checks';
export * from './lineage';
