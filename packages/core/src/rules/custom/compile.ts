// Compiling a custom rule: parse, type-check against the feature schema, apply the structural
// limits, and prepare the metered evaluation. Compile errors carry their position (1-based line
// and column, columns in UTF-16 code units as editors count them).
import { EvaluationError } from '@marcbachmann/cel-js';
import type { RuleResult, UserFeatures } from '../features.ts';
import {
  CEL_ENV,
  CUSTOM_RULE_LIMITS,
  type CustomRuleBudget,
  CustomRuleBudgetError,
  childNodes,
  DEFAULT_BUDGET,
  instrument,
  metered,
  type Node,
  RE2JS,
  type RegexCall,
  walk,
} from './engine.ts';
import { CEL_SCHEMA, type CelActivation, celVariables, LIST_VARIABLES } from './schema.ts';

export interface CustomRuleCompileError {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** Offsets of the offending text in the source (end exclusive). */
  start: number;
  end: number;
  /** Machine-readable kind: the CEL library's error code, or one of ours (not_bool, too_long, …). */
  code: string;
}

export type CompileResult =
  | { ok: true; rule: CompiledCustomRule }
  | { ok: false; errors: CustomRuleCompileError[] };

export type Requirement = 'ip' | 'email' | 'domain' | 'phone';

export interface CompiledCustomRule {
  readonly source: string;
  /** Schema variables the expression reads. */
  readonly variables: readonly string[];
  /** Enrichment kinds the expression relies on, for display. */
  readonly requires: readonly Requirement[];
  /**
   * Evaluates the rule for one user: match / no_match for a boolean result, not_applicable when
   * the expression needed an unknown fact. Throws CustomRuleRuntimeError on any other evaluation
   * error and CustomRuleBudgetError when the budget is exceeded.
   */
  evaluate(features: UserFeatures, budget?: CustomRuleBudget): RuleResult;
}

/** An evaluation error other than an unknown fact (division by zero, bad conversion, …). */
export class CustomRuleRuntimeError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'CustomRuleRuntimeError';
    this.line = line;
    this.column = column;
  }
}

// ---------------------------------------------------------------------------------------------
// Positions

export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

function compileError(source: string, code: string, message: string, start: number, end = start) {
  return { message, ...lineColumn(source, start), start, end, code };
}

interface LibraryError {
  code?: string;
  summary?: string;
  message: string;
  range?: { start: number; end: number };
}

function fromLibraryError(source: string, err: unknown): CustomRuleCompileError {
  const e = (err ?? {}) as LibraryError;
  let message = e.summary ?? e.message ?? String(err);
  if (/no such overload: .* null|null [!=]= /.test(message)) {
    message += '. Unknown facts are absent, not null: test them with has(object.field)';
  }
  const start = e.range?.start ?? 0;
  return compileError(source, e.code ?? 'invalid', message, start, e.range?.end ?? start);
}

// ---------------------------------------------------------------------------------------------
// Static checks

const SCALAR_VARIABLES = new Set(
  CEL_SCHEMA.variables.filter((v) => v.type.startsWith('vigil.')).map((v) => v.name),
);
const VARIABLE_NAMES = new Set(CEL_SCHEMA.variables.map((v) => v.name));

function comprehensionErrors(source: string, root: Node): CustomRuleCompileError[] {
  const errors: CustomRuleCompileError[] = [];
  const visit = (node: Node, depth: number, seen: Set<Node>) => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.op === 'comprehension') {
      const a = node.args as { iterable: Node; init: Node; step: Node };
      const inner = depth + 1;
      if (inner > CUSTOM_RULE_LIMITS.maxComprehensionNesting) {
        errors.push(
          compileError(
            source,
            'too_deep',
            `More than ${CUSTOM_RULE_LIMITS.maxComprehensionNesting} nested list macros (all, exists, exists_one, map, filter)`,
            node.start,
            node.end,
          ),
        );
        return;
      }
      visit(a.iterable, depth, seen);
      visit(a.init, depth, seen);
      visit(a.step, inner, seen);
      return;
    }
    for (const child of childNodes(node)) visit(child, depth, seen);
  };
  visit(root, 0, new Set());
  return errors;
}

function regexCalls(source: string, root: Node, errors: CustomRuleCompileError[]): Map<Node, RegexCall> {
  const calls = new Map<Node, RegexCall>();
  for (const node of walk(root)) {
    if (node.op !== 'rcall') continue;
    const [name, receiver, args] = node.args as [string, Node, Node[]];
    if (name !== 'matches') continue;
    const pattern = args[0];
    if (pattern?.op !== 'value' || typeof pattern.args !== 'string') {
      const at = pattern ?? node;
      errors.push(
        compileError(
          source,
          'regex_not_literal',
          'The pattern of matches() must be a string literal',
          at.start,
          at.end,
        ),
      );
      continue;
    }
    try {
      calls.set(node, { node, receiver, regex: RE2JS.compile(pattern.args) });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      errors.push(
        compileError(
          source,
          'invalid_regex',
          `Invalid RE2 regular expression: ${detail}`,
          pattern.start,
          pattern.end,
        ),
      );
    }
  }
  return calls;
}

interface References {
  variables: string[];
  /** `var.field` paths read directly from a non-list variable, reported as evidence. */
  paths: [string, string][];
}

function references(root: Node): References {
  const variables = new Set<string>();
  const paths = new Map<string, [string, string]>();
  for (const node of walk(root)) {
    if (node.op === 'id' && typeof node.args === 'string' && VARIABLE_NAMES.has(node.args))
      variables.add(node.args);
    if (node.op === '.') {
      const [operand, field] = node.args as [Node, string];
      if (operand.op === 'id' && typeof operand.args === 'string' && SCALAR_VARIABLES.has(operand.args)) {
        paths.set(`${operand.args}.${field}`, [operand.args, field]);
      }
    }
  }
  return { variables: [...variables].sort(), paths: [...paths.values()] };
}

const DOMAIN_FIELDS = new Set([
  'hasMx',
  'domainCreated',
  'domainAgeDays',
  'domainDisabled',
  'domainBlocklisted',
  'trancoRank',
]);

function requirements(root: Node, variables: readonly string[]): Requirement[] {
  const out = new Set<Requirement>();
  const v = new Set(variables);
  if (v.has('ips')) out.add('ip');
  if (v.has('emails') || v.has('lastEmail')) out.add('email');
  if (v.has('phones') || v.has('lastPhone')) out.add('phone');
  for (const node of walk(root)) {
    if (node.op !== '.') continue;
    const [operand, field] = node.args as [Node, string];
    const type = operand.checkedType?.name;
    if (type === 'vigil.Email' && DOMAIN_FIELDS.has(field)) out.add('domain');
    if (type === 'vigil.Event' && (field === 'country' || field === 'ip')) out.add('ip');
    if (type === 'vigil.Counts' && (field === 'countries' || field === 'asns')) out.add('ip');
  }
  return (['ip', 'email', 'domain', 'phone'] as const).filter((r) => out.has(r));
}

// ---------------------------------------------------------------------------------------------
// Evaluation results

/** JSON-friendly evidence value. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * The reason when an evaluation error means "a fact the rule needs is unknown", else null:
 * - `no_such_key` raised by selecting a field (`.f` or `["f"]`) of a Vigil object: the fact is
 *   null in the features, hence absent from the object;
 * - `index_out_of_bounds` raised by indexing a Vigil list (`events[1]` for a user with one event).
 * Any other error (including a missing key of a map literal written in the rule) is a real error.
 */
function unknownFactReason(source: string, err: unknown): string | null {
  if (!(err instanceof EvaluationError)) return null;
  const node = err.node as unknown as Node | undefined;
  if (!node || (node.op !== '.' && node.op !== '[]')) return null;
  const [operand] = node.args as [Node, unknown];
  const type = operand?.checkedType?.name ?? '';
  const text = source.slice(node.start, node.end);
  if (err.code === 'no_such_key' && type.startsWith('vigil.')) return `${text} is unknown (${type})`;
  if (err.code === 'index_out_of_bounds' && type.startsWith('list<vigil.')) return `${text}: ${err.summary}`;
  return null;
}

function runtimeError(source: string, err: unknown): Error {
  if (err instanceof EvaluationError) {
    const at = (err.node as unknown as Node | undefined)?.start ?? err.range?.start ?? 0;
    const { line, column } = lineColumn(source, at);
    return new CustomRuleRuntimeError(err.summary, line, column);
  }
  return err instanceof Error ? err : new Error(String(err));
}

// ---------------------------------------------------------------------------------------------

/** Compiles and type-checks a custom rule. Never throws for a bad source. */
export function compileCustomRule(source: string): CompileResult {
  if (typeof source !== 'string' || source.trim() === '') {
    return { ok: false, errors: [compileError('', 'empty', 'A rule needs an expression', 0)] };
  }
  if (source.length > CUSTOM_RULE_LIMITS.maxSourceLength) {
    const at = CUSTOM_RULE_LIMITS.maxSourceLength;
    const message = `A rule is at most ${CUSTOM_RULE_LIMITS.maxSourceLength} characters long`;
    return { ok: false, errors: [compileError(source, 'too_long', message, at, source.length)] };
  }
  let parsed: ReturnType<typeof CEL_ENV.parse>;
  try {
    parsed = CEL_ENV.parse(source);
  } catch (err) {
    return { ok: false, errors: [fromLibraryError(source, err)] };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, errors: [fromLibraryError(source, checked.error)] };
  const root = parsed.ast as unknown as Node;
  if (checked.type !== 'bool') {
    const start = source.length - source.trimStart().length;
    const message = `A rule must evaluate to bool, got ${checked.type}`;
    return { ok: false, errors: [compileError(source, 'not_bool', message, start, source.trimEnd().length)] };
  }
  const errors = comprehensionErrors(source, root);
  const regexes = regexCalls(source, root, errors);
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.start - b.start) };
  if (!instrument(root, regexes)) {
    return {
      ok: false,
      errors: [compileError(source, 'internal', 'The expression cannot be evaluated under a budget', 0)],
    };
  }

  const refs = references(root);
  const requires = requirements(root, refs.variables);
  const lists = refs.variables.filter((v) => LIST_VARIABLES.has(v));
  const oneLine = source.replace(/\s+/g, ' ').trim();
  const summary = oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine;

  const evidenceValues = (activation: CelActivation) => {
    const values: Record<string, unknown> = {};
    for (const [variable, field] of refs.paths) {
      const value = (activation[variable] as Record<string, unknown>)[field];
      if (value !== undefined) values[`${variable}.${field}`] = plain(value);
    }
    for (const list of lists) values[`size(${list})`] = (activation[list] as unknown[]).length;
    return values;
  };

  const rule: CompiledCustomRule = Object.freeze({
    source,
    variables: Object.freeze(refs.variables),
    requires: Object.freeze(requires),
    evaluate(features: UserFeatures, budget: CustomRuleBudget = DEFAULT_BUDGET): RuleResult {
      const activation = celVariables(features);
      let value: unknown;
      try {
        value = metered(budget, () => parsed(activation));
      } catch (err) {
        if (err instanceof CustomRuleBudgetError) throw err;
        const reason = unknownFactReason(source, err);
        if (reason !== null) return { status: 'not_applicable', evidence: { reason } };
        throw runtimeError(source, err);
      }
      if (typeof value !== 'boolean') throw new Error(`the rule returned ${typeof value}, not a bool`);
      const values = evidenceValues(activation);
      return value
        ? { status: 'match', evidence: { summary: `matched: ${summary}`, values } }
        : { status: 'no_match', evidence: { values } };
    },
  });
  return { ok: true, rule };
}
