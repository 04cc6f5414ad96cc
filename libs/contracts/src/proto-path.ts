import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Nest's gRPC transport loads .proto files at run time. They live in `proto/` at the repo root,
 * which is also copied into the image; find it by walking up from this file (src or dist).
 */
function findProtoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'buf.yaml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the proto/ folder above ' + __dirname);
    dir = parent;
  }
}

export const PROTO_ROOT = findProtoRoot();

export type ServiceName = 'directory' | 'messaging' | 'approval' | 'report' | 'audit';

export function protoPathFor(service: ServiceName): string {
  return join(PROTO_ROOT, 'atrium', service, 'v1', `${service}.proto`);
}
