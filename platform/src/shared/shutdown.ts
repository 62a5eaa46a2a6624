/**
 * Runs `stop` once, on the first SIGTERM or SIGINT. A repeated SIGTERM is ignored, so a supervisor
 * (or a test) that asks again cannot cut a graceful stop short, which Node's default action for an
 * unhandled signal would do; a second SIGINT (Ctrl-C twice) still exits at once, as people expect.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
