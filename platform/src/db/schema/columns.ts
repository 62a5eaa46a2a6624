import { customType } from 'drizzle-orm/pg-core';

/** Raw bytes (DER, CMS) as a Buffer in TypeScript, `bytea` in PostgreSQL. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});
