export * from './process';
export * from './postgres';
export * from './redis';
export * from './s3';
export * from './slack-stand-in';
export * from './file-server';
export * from './stack';
export * from './services';
