import { createHash } from 'node:crypto';

const sha256 = (...parts: Buffer[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/**
 * RFC 6962-style Merkle root (domain-separated leaves and nodes, an odd node is promoted), so a
 * checkpoint commits to every record hash in its range and their order.
 */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  let level: Buffer[] = leaves.map((leaf) => sha256(LEAF, leaf));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(NODE, level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}
