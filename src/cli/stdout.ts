// Writing to standard output from commands that may exit right after. process.exit() does not
// wait for pending writes, which on a pipe that is asynchronous (macOS, Windows) truncates the
// output; these resolve once the text is handed to the OS.
//
// A reader that goes away (`meshctl compile | head`) is not an error of meshctl's: the rest of
// the output has nowhere to go, so it is dropped and the command ends as it would have, quietly.

let readerGone = false;

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/** The stream emits the failed write's error as an event too; unheard, it would end the process. */
function ignoreClosedPipe(stream: NodeJS.WritableStream): void {
  if ((stream as { meshctlPipeGuard?: boolean }).meshctlPipeGuard) return;
  (stream as { meshctlPipeGuard?: boolean }).meshctlPipeGuard = true;
  stream.on('error', (error) => {
    if (isClosedPipe(error)) readerGone = true;
    else throw error;
  });
}

export function writeStdout(text: string): Promise<void> {
  ignoreClosedPipe(process.stdout);
  if (readerGone) return Promise.resolve();
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => {
      if (!error) resolve();
      else if (isClosedPipe(error)) {
        readerGone = true;
        resolve();
      } else reject(error);
    }),
  );
}

/**
 * Writes text piece by piece, waiting for the stream to drain so unwritten text does not pile up in
 * memory. A reader that goes away (`| head`) ends the output early, as it would a single write.
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let closed = false;
  const onClosed = () => {
    closed = true;
  };
  stream.once('error', onClosed);
  stream.once('close', onClosed);
  try {
    for (const chunk of chunks) {
      if (closed) return;
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('error', done);
            stream.off('close', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
          stream.once('close', done);
        });
      }
    }
  } finally {
    stream.off('error', onClosed);
    stream.off('close', onClosed);
  }
}
