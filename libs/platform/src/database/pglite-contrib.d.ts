// @electric-sql/pglite exports its contrib extensions as `./contrib/*` subpaths, which the
// repository's "node" module resolution does not read (Node itself does, at run time).
declare module '@electric-sql/pglite/contrib/pg_trgm' {
  import type { Extension } from '@electric-sql/pglite';

  export const pg_trgm: Extension;
}
