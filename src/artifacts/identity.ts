/** A participant's public identity as every artifact and the group package carry it. */

export interface IdentityFields {
  moniker: string;
  identifier: string;
  signingKey: string;
  encryptionKey: string;
  github?: string;
  endpoint?: string;
}

/** Only the public identity fields, in artifact order; an absent login or endpoint is left out. */
export function identityFields(id: IdentityFields): IdentityFields {
  return {
    moniker: id.moniker,
    identifier: id.identifier,
    signingKey: id.signingKey,
    encryptionKey: id.encryptionKey,
    ...(id.github ? { github: id.github } : {}),
    ...(id.endpoint ? { endpoint: id.endpoint } : {}),
  };
}
