import 'reflect-metadata';
import { previewOpenApiDocument } from '@atrium/service-gateway';

/** Prints the gateway's OpenAPI document (JSON) to stdout; `scripts/codegen-web` turns it into the web client's types. */
void previewOpenApiDocument().then(
  (document) => process.stdout.write(`${JSON.stringify(document, null, 2)}\n`),
  (error: unknown) => {
    process.stderr.write(`openapi-document: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
