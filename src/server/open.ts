/**
 * The library's way in, for a server that imports sss-tool instead of spawning it: the same install
 * and the same two calls as `get-nonce` and `sign`, with the same data shapes.
 */
import { directoryNonceBook, findServerDir, openServerShare, serverPaths } from './install-files.js';
import { MemoryNonceBook, type NonceBook } from './nonce-book.js';
import { TrustServerSigner } from './signer.js';

export interface OpenServerOptions {
  /** The install directory (default: as the spawned commands find it: $SSS_TOOL_HOME, the cwd, the home dir). */
  dir?: string;
  /** Where SSS_TOOL_SERVER_KEY[_FILE] are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Which nonces may still sign. Default: this process's memory (nonces from this object's
   * getNonce only). 'directory' shares the install's record with spawned `sss-tool` commands.
   */
  nonces?: 'memory' | 'directory' | NonceBook;
}

/** Opens a server install (`sss-tool install`) and checks the share against the group. */
export async function openTrustServerSigner(opts: OpenServerOptions = {}): Promise<TrustServerSigner> {
  const env = opts.env ?? process.env;
  const paths = serverPaths(findServerDir(opts.dir, env));
  const book =
    opts.nonces === 'directory'
      ? directoryNonceBook(paths, env)
      : opts.nonces && opts.nonces !== 'memory'
        ? opts.nonces
        : new MemoryNonceBook();
  const signer = new TrustServerSigner(await openServerShare(paths, env), book);
  signer.checkShare();
  return signer;
}
