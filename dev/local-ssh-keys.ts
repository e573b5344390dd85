/**
 * The SSH-signing-key endpoints of the local GitHub stand-in, in their own module so that the
 * stand-in only mounts them: GET /users/{login}/ssh_signing_keys (what the Action and
 * `sss-tool doctor` read) and POST /user/ssh_signing_keys (what `gh ssh-key add --type signing`
 * sends). The signed-in user of a POST is the login its token names: a test or the demo says
 * which (`tokens`), else a token spelled `…token-of-<login>` is that login's.
 */
export interface LocalSshKey {
  id: number;
  key: string;
  title: string;
  created_at: string;
}

export interface LocalSshKeys {
  /** Login (lower case) → its SSH signing keys. */
  sshSigningKeys: Map<string, LocalSshKey[]>;
  /** Token → login, for POST /user/ssh_signing_keys. */
  tokens: Map<string, string>;
  /** Registers a key on an account, as its owner would on github.com. */
  addSshSigningKey(login: string, key: string, title?: string): void;
}

type Send = (status: number, value: unknown) => void;

export function localSshKeys(): LocalSshKeys & {
  handle(method: string, path: string, body: unknown, authorization: string | undefined, send: Send): boolean;
} {
  let nextId = 5000;
  const state: LocalSshKeys = {
    sshSigningKeys: new Map(),
    tokens: new Map(),
    addSshSigningKey(login, key, title = 'sss-tool') {
      const list = state.sshSigningKeys.get(login.toLowerCase()) ?? [];
      list.push({ id: nextId++, key: key.trim(), title, created_at: new Date(0).toISOString() });
      state.sshSigningKeys.set(login.toLowerCase(), list);
    },
  };
  const loginOf = (authorization: string | undefined): string | undefined => {
    const token = authorization?.replace(/^(token|bearer) /i, '');
    if (!token) return undefined;
    return state.tokens.get(token) ?? /token-of-([A-Za-z0-9-]+)$/.exec(token)?.[1];
  };
  return Object.assign(state, {
    handle(method: string, path: string, body: unknown, authorization: string | undefined, send: Send): boolean {
      const m = /^\/users\/([^/]+)\/ssh_signing_keys$/.exec(path);
      if (m && method === 'GET') {
        send(200, state.sshSigningKeys.get(decodeURIComponent(m[1]).toLowerCase()) ?? []);
        return true;
      }
      if (path === '/user/ssh_signing_keys' && method === 'POST') {
        const login = loginOf(authorization);
        if (!login) {
          send(401, { message: 'Requires authentication' });
          return true;
        }
        const key = String((body as { key?: unknown })?.key ?? '');
        if (!/^ssh-(ed25519|rsa) [A-Za-z0-9+/=]+( .*)?$/.test(key.trim())) {
          send(422, { message: 'Validation Failed', errors: [{ field: 'key', code: 'invalid' }] });
          return true;
        }
        state.addSshSigningKey(login, key, String((body as { title?: unknown })?.title ?? ''));
        const list = state.sshSigningKeys.get(login.toLowerCase())!;
        send(201, list[list.length - 1]);
        return true;
      }
      return false;
    },
  });
}
