export * from './organisations.js';
export * from './places.js';
export * from './households.js';
export * from './identity.js';
export * from '../../staff/schema.js';
export * from '../../console/schema.js';
export * from '../../shelter/schema.js';
