// The CEL engine of custom rules: one shared, type-checked Environment declaring the feature
// schema, and the evaluation budget.
//
// The CEL library (@marcbachmann/cel-js) limits the size of an expression when parsing but has
// no evaluation cost limit. CEL is not Turing-complete, yet nested comprehensions over a user's
// lists are polynomial (ips.exists(a, ips.exists(b, ips.exists(c, …)))) and cel.bind with `+`
// doubles a string or list per binding. So every AST node of a compiled rule is wrapped by a
// meter: each node evaluation costs 1 unit, plus the length of a list it produces, plus 1 per 32
// characters of a string it produces, plus 1 per 4 characters a regular expression scans. Once
// the budget or the wall-clock deadline is exceeded every further node throws, so CEL's error
// absorption (`err || true`) cannot swallow the stop, and the outcome is an error whatever the
// expression returns.
//
// `matches` is also evaluated here, with RE2 semantics (the CEL specification's) through re2js,
// whose matching time is linear in the input: the library's own `matches` uses JavaScript's
// backtracking RegExp, where a pattern such as `(a+)+$` against attacker-sent text never ends.
//
// The wrapping relies on the AST shape of the pinned library version (nodes with `meta`,
// `evaluate`, `args`); `instrument` fails closed — the rule does not compile — when a node does
// not look as expected, and the tests exercise the budget.
import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { CEL_CONSTRUCTORS, CEL_SCHEMA } from './schema.ts';

/** Structural limits checked when a rule is compiled. */
export const CUSTOM_RULE_LIMITS = Object.freeze({
  /** Characters of source. */
  maxSourceLength: 4000,
  /** AST nodes produced by the parser (macros included). */
  maxAstNodes: 1000,
  /** Nesting of calls, selections, indexes and aggregates. */
  maxDepth: 32,
  /** Comprehension macros (all, exists, exists_one, map, filter) nested in one another. */
  maxComprehensionNesting: 3,
  /** Elements of a list literal. */
  maxListElements: 256,
  /** Entries of a map literal. */
  maxMapEntries: 64,
  /** Arguments of one call. */
  maxCallArguments: 8,
});

/** The per-evaluation budget. */
export interface CustomRuleBudget {
  /** Cost units (see the file header); roughly 50–150 ns of work each. */
  maxCost: number;
  /** Wall-clock limit in milliseconds, checked every 64 units. */
  timeoutMs: number;
}

export const DEFAULT_BUDGET: CustomRuleBudget = Object.freeze({ maxCost: 100_000, timeoutMs: 50 });

/** Thrown when an evaluation exceeds its budget; evaluateRules records it as `error`. */
export class CustomRuleBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomRuleBudgetError';
  }
}

// The library knows CEL's timestamp type by its protobuf name only.
const libraryType = (type: string) => type.replace(/\btimestamp\b/g, 'google.protobuf.Timestamp');

function buildEnvironment(): Environment {
  const env = new Environment({
    limits: {
      maxAstNodes: CUSTOM_RULE_LIMITS.maxAstNodes,
      maxDepth: CUSTOM_RULE_LIMITS.maxDepth,
      maxListElements: CUSTOM_RULE_LIMITS.maxListElements,
      maxMapEntries: CUSTOM_RULE_LIMITS.maxMapEntries,
      maxCallArguments: CUSTOM_RULE_LIMITS.maxCallArguments,
    },
  });
  for (const t of CEL_SCHEMA.types) {
    env.registerType(t.name, {
      ctor: CEL_CONSTRUCTORS.get(t.name)!,
      fields: Object.fromEntries(t.fields.map((f) => [f.name, libraryType(f.type)])),
    });
  }
  for (const v of CEL_SCHEMA.variables) {
    env.registerVariable(v.name, libraryType(v.type), { description: v.description });
  }
  return env;
}

/** The shared environment (building one is expensive; parsing with it is cheap). */
export const CEL_ENV: Environment = buildEnvironment();

// ---------------------------------------------------------------------------------------------
// Internal AST access. These mirror the library's (untyped) node internals.

export interface Node {
  op: string;
  args: unknown;
  start: number;
  end: number;
  checkedType?: { name: string; kind?: string };
  readonly meta: NodeMeta;
  evaluate: EvaluateFn;
}
interface NodeMeta {
  alternate?: Node;
  macro?: { evaluate: (ev: Evaluator, macro: unknown, ctx: unknown) => unknown } & Record<string, unknown>;
  evaluate?: EvaluateFn;
}
interface Evaluator {
  run(node: Node, ctx: unknown): unknown;
}
type EvaluateFn = (this: Node, ev: Evaluator, ast: Node, ctx: unknown) => unknown;

const NodeClass = (CEL_ENV.parse('true').ast as unknown as Node).constructor;

export function isNode(x: unknown): x is Node {
  return x instanceof NodeClass;
}

/** The direct children of a node, the macro expansion included. */
export function childNodes(node: Node): Node[] {
  const { alternate, macro } = node.meta;
  const children: unknown[] = [];
  if (alternate) children.push(alternate);
  if (macro) children.push(...Object.values(macro));
  if (node.op === 'comprehension') {
    const a = node.args as { iterable: unknown; init: unknown; step: unknown };
    children.push(a.iterable, a.init, a.step);
  } else children.push(node.args);
  return [...flattenNodes(children)];
}

/** Every node below `node`, the macro expansions included (a node reached twice is yielded once). */
export function* walk(node: Node, seen = new Set<Node>()): Generator<Node> {
  if (seen.has(node)) return;
  seen.add(node);
  yield node;
  for (const child of childNodes(node)) yield* walk(child, seen);
}

function* flattenNodes(x: unknown): Generator<Node> {
  if (isNode(x)) yield x;
  else if (Array.isArray(x)) for (const v of x) yield* flattenNodes(v);
}

// ---------------------------------------------------------------------------------------------
// The meter

interface Meter {
  used: number;
  ticks: number;
  maxCost: number;
  deadline: number;
  timeoutMs: number;
  /** Set once exceeded: every later charge throws it again. */
  stop: CustomRuleBudgetError | null;
}

let meter: Meter | null = null;

function charge(units: number): void {
  const m = meter;
  if (m === null) return;
  if (m.stop) throw m.stop;
  m.used += units;
  if (m.used > m.maxCost) {
    m.stop = new CustomRuleBudgetError(`evaluation budget exceeded (more than ${m.maxCost} cost units)`);
    throw m.stop;
  }
  if ((++m.ticks & 63) === 0 && performance.now() > m.deadline) {
    m.stop = new CustomRuleBudgetError(`evaluation timed out (more than ${m.timeoutMs} ms)`);
    throw m.stop;
  }
}

function costOf(value: unknown): number {
  if (typeof value === 'string') return 1 + (value.length >> 5);
  if (Array.isArray(value)) return 1 + value.length;
  return 1;
}

// Nodes whose result is a value another node already paid for (the comprehension accumulator,
// the branch a ternary picked): they cost 1, not the size of that value again.
const PASS_THROUGH = new Set(['?:', 'accuPush', 'accuValue', 'accuInc']);

/** Runs `fn` under a fresh meter; a stop recorded during the run is thrown even if `fn` returned. */
export function metered<T>(budget: CustomRuleBudget, fn: () => T): T {
  const previous = meter;
  const m: Meter = {
    used: 0,
    ticks: 0,
    maxCost: budget.maxCost,
    timeoutMs: budget.timeoutMs,
    deadline: performance.now() + budget.timeoutMs,
    stop: null,
  };
  meter = m;
  try {
    const result = fn();
    if (m.stop) throw m.stop;
    return result;
  } catch (err) {
    throw m.stop ?? err;
  } finally {
    meter = previous;
  }
}

/** A `matches` call whose pattern was checked (and compiled) when the rule was compiled. */
export interface RegexCall {
  node: Node;
  receiver: Node;
  regex: RE2JS;
}

/**
 * Wraps every node of a checked AST with the meter, and `matches` calls with RE2. Returns false
 * when the AST does not have the expected shape (the caller then refuses the rule).
 */
export function instrument(root: Node, regexes: ReadonlyMap<Node, RegexCall>): boolean {
  for (const node of walk(root)) {
    const meta = node.meta;
    if (meta.alternate) continue; // evaluation is delegated to the alternate, itself wrapped
    let inner: EvaluateFn;
    const regex = regexes.get(node);
    if (regex) {
      inner = (ev, _ast, ctx) => {
        const input = ev.run(regex.receiver, ctx);
        if (typeof input !== 'string') throw new TypeError('matches() needs a string');
        charge(1 + (input.length >> 2));
        return regex.regex.test(input);
      };
    } else if (meta.macro) {
      const macro = meta.macro;
      if (typeof macro.evaluate !== 'function') return false;
      inner = (ev, _ast, ctx) => macro.evaluate(ev, macro, ctx);
    } else {
      if (typeof meta.evaluate !== 'function') return false;
      inner = function (this: Node, ev, ast, ctx) {
        return (meta.evaluate as EvaluateFn).call(this, ev, ast, ctx);
      };
    }
    const passThrough = PASS_THROUGH.has(node.op);
    node.evaluate = function (this: Node, ev, ast, ctx) {
      const result = inner.call(this, ev, ast, ctx);
      charge(passThrough ? 1 : costOf(result));
      return result;
    };
  }
  return true;
}

export { RE2JS };
