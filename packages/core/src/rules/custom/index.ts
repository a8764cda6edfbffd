// Custom rules written by operators in CEL: the typed feature schema, compilation with positioned
// errors, metered evaluation as RuleDefinitions of group X, and the "test" over stored users.
export {
  type CompiledCustomRule,
  type CompileResult,
  type CustomRuleCompileError,
  CustomRuleRuntimeError,
  compileCustomRule,
  type Requirement,
} from './compile.ts';
export { celSchemaMarkdown, SCHEMA_DOC_BEGIN, SCHEMA_DOC_END, withGeneratedSchema } from './docs.ts';
export {
  CUSTOM_RULE_LIMITS,
  type CustomRuleBudget,
  CustomRuleBudgetError,
  DEFAULT_BUDGET,
} from './engine.ts';
export {
  CUSTOM_CODE_PATTERN,
  CustomRuleCompileFailure,
  type CustomRuleDefinition,
  type CustomRuleSpec,
  customRuleDefinition,
  nextCustomCode,
} from './rule.ts';
export {
  CEL_SCHEMA,
  type CelActivation,
  type CelFieldDoc,
  type CelScalarType,
  type CelSchema,
  type CelTypeDoc,
  type CelTypeName,
  type CelVariableDoc,
  celVariables,
} from './schema.ts';
export {
  type CustomRuleErrorSample,
  type CustomRuleSample,
  type CustomRuleTestReport,
  TEST_SAMPLE_LIMIT,
  testCustomRule,
} from './test-run.ts';
