// Writing to standard output from commands that may exit right after. process.exit() does not
// wait for pending writes, which on a pipe that is asynchronous (macOS, Windows) truncates the
// output; these resolve once the text is handed to the OS.
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
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
