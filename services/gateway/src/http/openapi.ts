import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { methodNotAllowed } from './method-not-allowed.middleware';
import { documentValidationRules } from './openapi-validation-shim';

const ERROR_SCHEMA_REF = '#/components/schemas/ErrorResponse';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Schema = SchemaObject | ReferenceObject;
const isRef = (schema: Schema | undefined): schema is ReferenceObject => !!schema && '$ref' in schema;
const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** Every schema a request body reaches (the validation pipe forbids unknown fields in all of them). */
function requestSchemaNames(document: OpenAPIObject): Set<string> {
  const schemas = document.components?.schemas ?? {};
  const names = new Set<string>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (isRef(schema)) {
      const name = refName(schema.$ref);
      if (names.has(name)) return;
      names.add(name);
      visit(schemas[name]);
      return;
    }
    for (const child of Object.values(schema.properties ?? {})) visit(child);
    if (schema.items) visit(schema.items);
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) visit(part);
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = item[method]?.requestBody;
      if (body && !('$ref' in body)) for (const media of Object.values(body.content)) visit(media.schema);
    }
  }
  return names;
}

/**
 * Atrium carries no fractional quantities: ids, sequences, counts, sizes and orders are integers.
 * `@ApiProperty()` on a `number` says `number`; a field that really is fractional must say
 * `format: 'double'` (or `float`) to stay one.
 */
function integersAreIntegers(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(integersAreIntegers);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'number' && schema.format === undefined) schema.type = 'integer';
  Object.values(schema).forEach(integersAreIntegers);
}

/**
 * The text rules of the edge (`libs/platform/src/text`): no string carries a NUL. Said as a
 * pattern on every free-text string, so that a client generated from the document, or a fuzzer,
 * knows it; strings with a format, an enum or a pattern of their own are narrower already.
 */
function textHasNoNul(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(textHasNoNul);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'string' && schema.pattern === undefined && schema.format === undefined && schema.enum === undefined)
    schema.pattern = '^[^\\u0000]*$';
  Object.values(schema).forEach(textHasNoNul);
}

/**
 * What the generated document leaves out of how the server behaves: request DTOs refuse unknown
 * properties; a body whose fields are all optional may be left out; and every REST operation
 * answers its errors (any status it does not list) with the one error envelope.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  integersAreIntegers(document.paths);
  integersAreIntegers(schemas);
  textHasNoNul(document.paths);
  textHasNoNul(schemas);
  for (const name of requestSchemaNames(document)) {
    const schema = schemas[name];
    if (schema && !isRef(schema) && schema.type === 'object' && schema.additionalProperties === undefined)
      schema.additionalProperties = false;
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const body = operation.requestBody;
      if (body && !('$ref' in body) && body.required) {
        const json = body.content['application/json']?.schema;
        const target = isRef(json) ? schemas[refName(json.$ref)] : json;
        if (target && !isRef(target) && target.type === 'object' && (target.required ?? []).length === 0) body.required = false;
      }
      // The WeCom-compatible API answers every failure as HTTP 200 with an errcode.
      if (path.startsWith('/api/')) {
        operation.responses.default ??= {
          description: 'Any other failure, in the error envelope',
          content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
        };
      }
    }
  }
  return document;
}

/** The OpenAPI document of the public API, with the validation rules the server enforces. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  documentValidationRules();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Atrium API')
      .setDescription('Public REST API of Atrium. Errors share one envelope: { code, message, details?, traceId }.')
      .setVersion('v1')
      .addBearerAuth()
      .build(),
  );
  return completeDocument(document);
}

/** OpenAPI document at /docs-json and the explorer at /docs; a documented path answers 405 to other methods. */
export function setupOpenApi(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  app.use(methodNotAllowed(document));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
