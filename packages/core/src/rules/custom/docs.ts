// The schema reference of docs/custom-rules.md, generated from CEL_SCHEMA (by
// scripts/gen-cel-docs.mjs; a test checks the document is up to date).
import { CEL_SCHEMA, type CelSchema } from './schema.ts';

export const SCHEMA_DOC_BEGIN =
  '<!-- BEGIN GENERATED SCHEMA: edit packages/core/src/rules/custom/schema.ts, then run node scripts/gen-cel-docs.mjs -->';
export const SCHEMA_DOC_END = '<!-- END GENERATED SCHEMA -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const anchor = (type: string) => type.replace(/[^a-z0-9]/gi, '').toLowerCase();

function typeLink(type: string): string {
  const m = /^(list<)?(vigil\.\w+)(>)?$/.exec(type);
  if (!m) return `\`${type}\``;
  const [, open = '', name = '', close = ''] = m;
  return `${open ? '`list<`' : ''}[\`${name}\`](#${anchor(name)})${close ? '`>`' : ''}`;
}

/** A Markdown table with aligned columns, as Biome formats it (so the document stays lint-clean). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The Markdown reference of the schema: variables, then each object type with its fields. */
export function celSchemaMarkdown(schema: CelSchema = CEL_SCHEMA): string {
  const lines: string[] = ['### Variables', ''];
  lines.push(
    ...table(
      ['Variable', 'Type', 'Description'],
      schema.variables.map((v) => [`\`${v.name}\``, typeLink(v.type), cell(v.description)]),
    ),
  );
  for (const t of schema.types) {
    lines.push('', `### ${t.name}`, '', cell(t.description), '');
    lines.push(
      ...table(
        ['Field', 'Type', 'May be unknown', 'Description'],
        t.fields.map((f) => [`\`${f.name}\``, `\`${f.type}\``, f.nullable ? 'yes' : '', cell(f.description)]),
      ),
    );
  }
  return `${SCHEMA_DOC_BEGIN}\n\n${lines.join('\n')}\n\n${SCHEMA_DOC_END}`;
}

/** Replaces the generated region of a document (between the markers) with the current schema. */
export function withGeneratedSchema(doc: string): string {
  const begin = doc.indexOf(SCHEMA_DOC_BEGIN);
  const end = doc.indexOf(SCHEMA_DOC_END);
  if (begin < 0 || end < begin) throw new Error('the document has no generated schema region');
  return doc.slice(0, begin) + celSchemaMarkdown() + doc.slice(end + SCHEMA_DOC_END.length);
}
