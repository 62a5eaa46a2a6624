import { parseArgs } from 'node:util';
import { AppError } from '../../../platform/src/shared/errors.js';
import { FileCardStore } from '../virtual-card/card-store.js';
import { VirtualCard } from '../virtual-card/virtual-card.js';
import { VpcdBridge, type BridgeLogger } from '../virtual-card/vpcd-bridge.js';
import { VPCD_DEFAULT_PORT } from '../virtual-card/vpcd-protocol.js';
import { stopOnSignals } from '../../../platform/src/shared/shutdown.js';

const USAGE = `usage: npm run virtual-card -- --card CARD.json --vpcd [--host 127.0.0.1] [--port ${VPCD_DEFAULT_PORT}] [--latency realistic|off]

Presents the virtual My Number Card in CARD.json in vsmartcard's vpcd reader ("Virtual PCD"),
so pcscd and any PC/SC application (the reader driver, pcsc_scan, OpenSC) see it as a real card
in a contact reader, until Ctrl-C. PIN counters are written back to CARD.json.
Needs pcscd with the vpcd driver: apt-get install -y pcscd vsmartcard-vpcd && bash .ci/start-pcscd`;

/** Parsed and checked command line; every problem is reported at once. */
interface VirtualCardArgs {
  card: string;
  host: string;
  port: number;
  latency: 'realistic' | 'off';
}

function parseVirtualCardArgs(argv: string[]): VirtualCardArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      card: { type: 'string' },
      vpcd: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(VPCD_DEFAULT_PORT) },
      latency: { type: 'string', default: 'realistic' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  const problems: string[] = [];
  if (!values.card) problems.push('--card CARD.json is required');
  if (!values.vpcd) problems.push('--vpcd is required (presenting the card in the vpcd reader is the only mode)');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`--port must be an integer 1–65535 (got "${values.port}")`);
  if (values.latency !== 'realistic' && values.latency !== 'off') problems.push(`--latency must be "realistic" or "off" (got "${values.latency}")`);
  if (problems.length) throw new UsageError(`- ${problems.join('\n- ')}`);
  return { card: values.card!, host: values.host!, port, latency: values.latency as 'realistic' | 'off' };
}

class UsageError extends Error {}

const consoleLogger: BridgeLogger = {
  debug() {},
  info: (_fields, message) => console.log(message),
  warn: (fields, message) => console.warn(`${message} ${JSON.stringify(fields)}`),
};

async function main(): Promise<void> {
  let args: VirtualCardArgs;
  try {
    args = parseVirtualCardArgs(process.argv.slice(2));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(message ? `${message}\n\n${USAGE}` : USAGE);
    process.exit(message ? 2 : 0);
  }

  let card: VirtualCard;
  try {
    card = await VirtualCard.open(new FileCardStore(args.card), { latency: args.latency === 'realistic' ? 'contact' : null });
  } catch (err) {
    console.error(err instanceof AppError ? `${err.message}: ${err.detail ?? ''}` : String(err));
    process.exit(1);
  }

  const bridge = new VpcdBridge(card, { host: args.host, port: args.port, logger: consoleLogger });
  bridge.on('connected', () => console.log(`card ${card.id} is in the vpcd reader (${args.host}:${args.port}); Ctrl-C removes it`));
  let stopping = false;
  bridge.on('disconnected', () => console.log(stopping ? 'card removed from the reader' : 'card removed from the reader; reconnecting when vpcd is back'));
  bridge.start();
  const notice = setTimeout(() => {
    if (!bridge.isConnected) console.warn(`still waiting for vpcd at ${args.host}:${args.port}: is pcscd running with the vpcd driver? (bash .ci/start-pcscd)`);
  }, 3000);

  const stop = async () => {
    stopping = true;
    clearTimeout(notice);
    await bridge.close();
    process.exit(0);
  };
  stopOnSignals(stop);
}

void main();
