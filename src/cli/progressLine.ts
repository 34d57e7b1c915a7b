/** The download progress of the data syncs (`ariane sources sync`, `ariane places sync`) on the terminal. */

const mb = (n: number) => `${(n / 1e6).toFixed(1).replace('.', ',')} Mo`;

/**
 * A progress line for the terminal: rewritten in place on a TTY, else one line per quarter so that
 * a log stays short.
 */
export function progressLine(write: (text: string) => void, tty: boolean): { update: (received: number, total?: number) => void; done: () => void } {
  let lastQuarter = -1;
  let shown = false;
  return {
    update: (received, total) => {
      const text = `  ${mb(received)}${total ? ` / ${mb(total)} (${Math.floor((100 * received) / total)} %)` : ''}`;
      if (tty) {
        write(`\r${text}\x1b[K`);
        shown = true;
        return;
      }
      const quarter = total ? Math.floor((4 * received) / total) : Math.floor(received / 10e6);
      if (quarter !== lastQuarter) {
        lastQuarter = quarter;
        write(`${text}\n`);
      }
    },
    done: () => {
      if (tty && shown) write('\n');
    },
  };
}

