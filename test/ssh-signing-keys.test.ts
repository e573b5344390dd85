/**
 * The artifact signing key as an SSH signing key: the OpenSSH encoding matches ssh-keygen's, and
 * artifact signatures are domain-separated from the SSHSIG signatures (git commit signing) the
 * same key makes. The formats are read from real ssh-keygen output, not assumed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { signArtifact, signingInput, verifyArtifactSignature } from '../src/artifacts/canonical.js';
import { ed25519FromSshLine, registerCommand, sshPublicKeyLine } from '../src/github/ssh-signing-keys.js';
import { bytesToHex } from '../src/crypto/suite.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const hasSshKeygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error === undefined;

/** Reads SSH wire strings (uint32 length, bytes) off a buffer. */
function reader(buf: Buffer) {
  let at = 0;
  return {
    bytes(n: number) {
      const out = buf.subarray(at, at + n);
      at += n;
      return out;
    },
    u32() {
      const v = buf.readUInt32BE(at);
      at += 4;
      return v;
    },
    string() {
      return this.bytes(this.u32());
    },
  };
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

const unarmor = (text: string) => Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

/** The Ed25519 seed of an unencrypted OpenSSH private key file (PROTOCOL.key). */
function opensshSeed(text: string): Uint8Array {
  const r = reader(unarmor(text));
  expect(r.bytes(15).toString('latin1')).toBe('openssh-key-v1\0');
  expect(r.string().toString()).toBe('none'); // cipher
  expect(r.string().toString()).toBe('none'); // kdf
  r.string(); // kdf options
  expect(r.u32()).toBe(1);
  r.string(); // public key
  const p = reader(r.string());
  expect(p.u32()).toBe(p.u32()); // check ints
  expect(p.string().toString()).toBe('ssh-ed25519');
  p.string(); // public
  return p.string().subarray(0, 32);
}

describe.skipIf(!hasSshKeygen)('the signing key in OpenSSH form', () => {
  const dir = tempDir('sss-ssh-');
  const keyFile = join(dir, 'id');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', keyFile]);
  const pubLine = readFileSync(`${keyFile}.pub`, 'utf8').trim();
  const seed = opensshSeed(readFileSync(keyFile, 'utf8'));
  const publicHex = bytesToHex(ed25519.getPublicKey(seed));

  it("encodes a key exactly as ssh-keygen does, and reads ssh-keygen's line back", () => {
    expect(ed25519FromSshLine(pubLine)).toBe(publicHex);
    expect(sshPublicKeyLine(publicHex, 'test')).toBe(pubLine);
    expect(ed25519FromSshLine('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ x')).toBeUndefined();
    // A key blob with trailing bytes, or another type's name, is not an Ed25519 key.
    const blob = Buffer.from(pubLine.split(' ')[1], 'base64');
    expect(
      ed25519FromSshLine(`ssh-ed25519 ${Buffer.concat([blob, Buffer.from([0])]).toString('base64')}`),
    ).toBeUndefined();
  });

  it('an artifact signed with that key verifies under the key GitHub would hold', () => {
    const artifact = signArtifact({ format: 'sss-tool/test@1', moniker: 'alice' }, seed);
    expect(verifyArtifactSignature(artifact, ed25519FromSshLine(pubLine)!)).toBe(true);
  });

  it('an SSHSIG (git commit) signature signs a blob that begins with "SSHSIG"; an artifact signature covers "sss-tool/v1 artifact\\n" first, so neither is valid as the other', () => {
    const message = join(dir, 'commit.txt');
    writeFileSync(message, 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nhello\n');
    const signed = spawnSync('ssh-keygen', ['-Y', 'sign', '-f', keyFile, '-n', 'git', message], { encoding: 'utf8' });
    expect(signed.status, signed.stderr).toBe(0);
    const r = reader(unarmor(readFileSync(`${message}.sig`, 'utf8')));
    expect(r.bytes(6).toString('latin1')).toBe('SSHSIG');
    expect(r.u32()).toBe(1);
    r.string(); // public key
    const namespace = r.string();
    const reserved = r.string();
    const hashAlg = r.string();
    const sig = reader(r.string());
    expect(sig.string().toString()).toBe('ssh-ed25519');
    const signature = sig.string();
    // The blob Ed25519 really signed (PROTOCOL.sshsig), rebuilt: ssh-keygen's signature verifies on it.
    const blob = Buffer.concat([
      Buffer.from('SSHSIG'),
      sshString(namespace),
      sshString(reserved),
      sshString(hashAlg),
      sshString(
        createHash(hashAlg.toString() as 'sha512')
          .update(readFileSync(message))
          .digest(),
      ),
    ]);
    expect(ed25519.verify(signature, blob, ed25519.getPublicKey(seed))).toBe(true);
    // Every artifact signing input starts with our label, whose first bytes differ from "SSHSIG"
    // (and from the 0x00 that starts an SSH authentication blob's length-prefixed session id).
    const input = signingInput({ format: 'sss-tool/test@1', moniker: 'alice' });
    expect(Buffer.from(input.subarray(0, 21)).toString('latin1')).toBe('sss-tool/v1 artifact\n');
    expect(input[0]).not.toBe(blob[0]);
    expect(input[0]).not.toBe(0);
    // So the SSHSIG signature is not an artifact signature, whatever the artifact.
    expect(verifyArtifactSignature({ format: 'sss-tool/test@1', signature: bytesToHex(signature) }, publicHex)).toBe(
      false,
    );
    // And an artifact signature wrapped as an SSHSIG is refused by ssh-keygen itself.
    const artifact = signArtifact({ format: 'sss-tool/test@1', moniker: 'alice' }, seed);
    const forged = Buffer.from(
      readFileSync(`${message}.sig`, 'utf8')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
    const at = forged.length - 64;
    Buffer.from(artifact.signature, 'hex').copy(forged, at);
    writeFileSync(
      `${message}.forged`,
      `-----BEGIN SSH SIGNATURE-----\n${forged.toString('base64')}\n-----END SSH SIGNATURE-----\n`,
    );
    const check = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'git', '-s', `${message}.forged`], {
      input: readFileSync(message),
      encoding: 'utf8',
    });
    expect(check.status).not.toBe(0);
    const good = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'git', '-s', `${message}.sig`], {
      input: readFileSync(message),
      encoding: 'utf8',
    });
    expect(good.status, good.stderr).toBe(0);
  });

  it('prints a register command a shell cannot misread', () => {
    expect(registerCommand('/home/a/github_signing_key.pub', 'sss-tool alice')).toBe(
      "gh ssh-key add --type signing /home/a/github_signing_key.pub --title 'sss-tool alice'",
    );
    expect(registerCommand("/tmp/it's here/k.pub", 't')).toBe(
      "gh ssh-key add --type signing '/tmp/it'\\''s here/k.pub' --title t",
    );
  });
});
