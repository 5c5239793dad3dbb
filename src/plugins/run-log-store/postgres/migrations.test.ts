import { describe, expect, it } from "vitest";
import { LATEST_VERSION, NOW_MS, ident, migrations } from "./migrations.js";

describe("postgres store migrations", () => {
  it("fill the schema and the server clock into every statement, leaving no placeholder", () => {
    const schema = ident('my "runs"');
    const all = migrations(schema);
    expect(all.map((migration) => migration.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    const text = all.flatMap((migration) => migration.statements).join("\n");
    expect(text).not.toMatch(/\{schema\}|\{now_ms\}/);
    expect(text).toContain(`CREATE TABLE ${schema}.runnable_runs (`);
    expect(text).toContain(`updated_ms bigint NOT NULL DEFAULT ${NOW_MS}`);
    expect(text).toContain(`CREATE FUNCTION ${schema}.runnable_put_entities(p_writes json)`);
    // the PL/pgSQL variable keeps its name; only the placeholder is replaced
    expect(text).toContain(`now_ms bigint := ${NOW_MS};`);
  });
});
