type OpenApiDocument = {
  openapi?: string;
  info?: Record<string, unknown>;
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string }[];
};

/** One OpenAPI document out of every service's: paths side by side, shared components merged. */
export function mergeOpenApi(documents: OpenApiDocument[]): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, { name: string }>();
  for (const doc of documents) {
    Object.assign(paths, doc.paths ?? {});
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      // Services name their schemas independently; a clash keeps the first and renames the second.
      const key =
        name in schemas && JSON.stringify(schemas[name]) !== JSON.stringify(schema)
          ? `${name}_${Object.keys(schemas).length}`
          : name;
      schemas[key] = schema;
    }
    for (const tag of doc.tags ?? []) tags.set(tag.name, tag);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bazaar API',
      version: '1.0.0',
      description:
        'The public API of every Bazaar service, through the gateway. Errors are RFC 9457 application/problem+json with a stable `code`. Mutating calls honour an `Idempotency-Key` header. Domain events are described at /asyncapi.json.',
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    tags: [...tags.values()],
  };
}

/** Fetches the services' documents; a service that is down is left out until the next refresh. */
export class OpenApiAggregator {
  private merged?: OpenApiDocument;
  private fetchedAt = 0;

  constructor(
    private readonly upstreams: string[],
    private readonly own: () => OpenApiDocument,
    private readonly maxAgeMs = 30_000,
  ) {}

  current(): OpenApiDocument {
    return this.merged ?? mergeOpenApi([this.own()]);
  }

  async refresh(force = false): Promise<OpenApiDocument> {
    if (!force && this.merged && Date.now() - this.fetchedAt < this.maxAgeMs) return this.merged;
    const docs = await Promise.all(
      [...new Set(this.upstreams)].map(async (url) => {
        try {
          const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(2_000) });
          return res.ok ? ((await res.json()) as OpenApiDocument) : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    this.merged = mergeOpenApi([this.own(), ...docs.filter((d): d is OpenApiDocument => d !== undefined)]);
    this.fetchedAt = Date.now();
    return this.merged;
  }
}
