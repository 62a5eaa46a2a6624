// One file per aggregate; drizzle-kit reads the tables from here (platform/drizzle.config.ts).
export * from './organisations.js';
export * from './places.js';
export * from './households.js';
export * from './persons.js';
export * from './services.js';
export * from './sessions.js';
export * from './nonces.js';
export * from './registrations.js';
export * from './card-linkages.js';
export * from './signed-documents.js';
export * from './crls.js';
export * from './audit.js';
export * from '../../staff/schema.js';
export * from '../../console/schema.js';
export * from '../../alerts/schema.js';
export * from '../../pension/schema.js';
export * from '../../booking/schema.js';
