/** Injection tokens for the shared infrastructure clients. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const KNEX = Symbol('KNEX');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const PIPELINE_QUEUE = Symbol('PIPELINE_QUEUE');
/** Knex on WAREHOUSE_URL (staging and warehouse schemas): dropping a deleted dataset's relations, reading a run's rejected rows. */
export const WAREHOUSE_KNEX = Symbol('WAREHOUSE_KNEX');
export const DATASET_LOCKS = Symbol('DATASET_LOCKS');
/** The SecretBox of SECRETS_KEY (packages/secrets): webhook URLs are stored only as its tokens and fingerprints. */
export const SECRET_BOX = Symbol('SECRET_BOX');
