export * from './organisations.js';
export * from './places.js';
export * from './households.js';
