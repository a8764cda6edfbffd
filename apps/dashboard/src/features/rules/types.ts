// Shapes of the console's rules API (apps/server/src/http/console/rules-routes.ts).

export interface RuleRow {
  code: string;
  group: string;
  name: string;
  description: string;
  weight: number;
  matched: number;
  confirmed: number;
  approved: number;
  autoBlacklisted: number;
  precision: number | null;
}

export interface Preset {
  name: string;
  title: string;
  description: string;
  weights: Record<string, number>;
}

export interface Rescore {
  running: boolean;
  total: number;
  done: number;
  remaining: number;
  startedAt: string | null;
}

export interface RulesPageData {
  version: number;
  preset: string | null;
  reviewThreshold: number;
  blacklistThreshold: number | null;
  weights: number[];
  groups: string[];
  scored: number;
  draft: { updatedAt: string } | null;
  rescore: Rescore;
  presets: Preset[];
  rules: RuleRow[];
}

export interface CompileError {
  message: string;
  line: number;
  column: number;
}

export interface CustomRule {
  code: string;
  name: string;
  description: string;
  source: string;
  weight: number;
  requires: string[];
  errors: CompileError[];
}

export interface Changes {
  weights: { code: string; from: number; to: number }[];
  thresholds: { name: string; from: unknown; to: unknown }[];
  added: string[];
  changed: string[];
  deleted: string[];
}

export interface DraftData {
  exists: boolean;
  liveVersion: number;
  baseVersion: number;
  createdBy: string | null;
  updatedAt: string | null;
  reviewThreshold: number;
  blacklistThreshold: number | null;
  customRules: CustomRule[];
  changes: Changes;
}

export interface TestReport {
  users: number;
  checked: number;
  matched: number;
  noMatch: number;
  notApplicable: number;
  errors: number;
  matchRate: number;
  samples: { userName: string }[];
  errorSamples: { userName: string; message: string }[];
}

export interface WhatIf {
  users: number;
  /** Users of the project; `sample` when fewer were compared (the most recently seen). */
  projectUsers: number;
  sample: boolean;
  checked: number;
  enterCount: number;
  leaveCount: number;
  blacklistCount: number;
  wouldEnterReview: string[];
  wouldLeaveReview: string[];
  wouldBeBlacklisted: string[];
  scoreChanges: { up: number; down: number; same: number; unscored: number };
  customRules: Record<string, { matched: number; errors: number }>;
}

export interface VersionRow {
  version: number | null;
  status: 'draft' | 'published';
  live: boolean;
  createdBy: string | null;
  createdAt: string | null;
  publishedBy: string | null;
  publishedAt: string | null;
  changes: Changes | null;
}

export interface CelSchema {
  variables: { name: string; type: string; description: string }[];
  types: {
    name: string;
    description: string;
    fields: { name: string; type: string; nullable: boolean; description: string }[];
  }[];
}
