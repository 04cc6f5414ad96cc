// Moved to @atrium/testing (messaging's harness serves PGlite too); kept for specs that import it here.
export { startPgliteServer, type PgliteServer } from '@atrium/testing';
