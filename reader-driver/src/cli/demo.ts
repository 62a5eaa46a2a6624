import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ERRORS } from '../../../platform/src/shared/errors.js';
import { loadDriverConfig } from '../config.js';
import { PROTOCOL_VERSION, type CommandResults, type PushedEvent, type Response } from '../ws/protocol.js';
import { pensionSubmit } from './pension-submit.js';

/**
 * `npm run demo -- cards | insert ID | remove`: puts a demo card into the running driver's demo
 * card bay or takes it out. Talks to the driver on loopback with the control token it wrote.
 * `pension-submit ID --out FILE`: the pension flow end to end (pension-submit.ts).
 */
const USAGE = 'usage: npm run demo -- cards | insert <card-id> | remove | pension-submit <card-id> --out FILE';

async function main() {
  const [verb, arg] = process.argv.slice(2);
  if (verb === 'pension-submit') return pensionSubmitCommand(arg);
  const command =
    verb === 'cards' ? { cmd: 'demo.cards' } : verb === 'insert' && arg ? { cmd: 'demo.insert', card: arg } : verb === 'remove' ? { cmd: 'demo.remove' } : null;
  if (!command) {
    console.error(USAGE);
    process.exit(2);
  }
  const tokenFile = loadDriverConfig(process.env).controlTokenFile;
  let control: { port: number; token: string };
  try {
    control = JSON.parse(readFileSync(tokenFile, 'utf8'));
  } catch {
    console.error(`The reader driver is not running (no ${tokenFile}). Start it with: npm start`);
    process.exit(1);
  }
  const ws = new WebSocket(`ws://127.0.0.1:${control.port}/v${PROTOCOL_VERSION}`, { headers: { 'x-control-token': control.token } });
  ws.on('error', (err) => {
    console.error(`Cannot reach the reader driver on port ${control.port}: ${err.message}. Start it with: npm start`);
    process.exit(1);
  });
  ws.on('open', () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id: 'cli', ...command })));
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString()) as Response | PushedEvent;
    if (!('re' in msg) || msg.re !== 'cli') return;
    ws.close();
    if (!msg.ok) {
      console.error(`${msg.error.code}: ${ERRORS[msg.error.code]?.message ?? msg.error.message}`);
      process.exit(1);
    }
    print(verb!, msg.result);
  });
}

/** `pension-submit CARD-ID --out FILE` against the product `npm start` runs (its ports and data folder from the same environment). */
async function pensionSubmitCommand(cardId: string | undefined) {
  const { values } = parseArgs({ args: process.argv.slice(4), options: { out: { type: 'string' } } });
  if (!cardId || !values.out) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadDriverConfig(process.env);
  let control: { port: number; token: string };
  try {
    control = JSON.parse(readFileSync(config.controlTokenFile, 'utf8'));
  } catch {
    console.error(`The reader driver is not running (no ${config.controlTokenFile}). Start it with: npm start`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  const operatorPort = Number(process.env.OPERATOR_PORT ?? port + 1);
  try {
    await pensionSubmit(cardId, values.out, {
      controlPort: control.port, controlToken: control.token, dataDir: resolve(process.env.DATA_DIR ?? 'data'),
      tvOrigin: `http://127.0.0.1:${port}`, operatorOrigin: `http://127.0.0.1:${operatorPort}`,
    });
  } catch (err) {
    console.error(`pension-submit failed: ${(err as Error).message}`);
    process.exit(1);
  }
}

/** The answer to the one command sent (`cards` → demo.cards, `insert` → demo.insert, `remove` → demo.remove). */
function print(verb: string, result: unknown) {
  if (verb === 'cards') {
    for (const card of (result as CommandResults['demo.cards']).cards) {
      console.log(`${card.id}${card.insertedIn ? `  (in "${card.insertedIn}")` : ''}`);
    }
  } else if (verb === 'insert') {
    console.log(`inserted into "${(result as CommandResults['demo.insert']).reader.name}"`);
  } else {
    console.log((result as CommandResults['demo.remove']).reader ? 'removed' : 'no card was in the demo reader');
  }
}

void main();
