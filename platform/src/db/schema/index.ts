export * from './organisations.js';
export * from './places.js';
export * from './households.js';
export * from './identity.js';
