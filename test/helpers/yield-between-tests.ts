// Many tests run meshctl with spawnSync, which blocks the test worker's event loop. The worker
// reports progress to vitest over an RPC channel with a fixed 60-second reply timeout; if a file's
// tests block back to back for longer than that on a busy machine, the reply sits unread, the
// timeout fires first, and the run fails although every test passed ("Timeout calling
// onTaskUpdate"). A macrotask turn after each test lets the worker read the replies.
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
