import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema (`npm run db:generate`), committed, never hand-edited;
// SQL the schema cannot express goes in a custom migration (`npm run db:generate -- --custom --name=…`).
export default defineConfig({
  dialect: 'postgresql',
  schema: './platform/src/db/schema/index.ts',
  out: './platform/src/db/migrations',
  breakpoints: true,
});
