// pnpm docs:config: writes docs/configuration.md and .env.example from the
// configuration's schema (apps/server/src/config/). apps/server/src/config/docs.test.ts
// fails when either differs from what this would write.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GENERATED_FILES } from '../apps/server/src/config/docs.js';

const root = resolve(import.meta.dirname, '..');

for (const [path, generate] of Object.entries(GENERATED_FILES)) {
  const file = resolve(root, path);
  const text = generate();
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Not written yet.
  }
  if (current === text) {
    console.log(`${path}: up to date`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`${path}: written`);
}
