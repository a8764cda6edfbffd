-- Custom rules (CEL) and versioned rule sets.
--
-- The model.
--
-- LIVE is what scores users: projects.review_threshold, blacklist_threshold and rule_thresholds,
-- project_rule_weights (core rule weights) and the custom_rules that are not deleted, together
-- identified by projects.rule_set_version. Every change to any of them bumps the version, and
-- every score records the version that produced it (users.rule_set_version,
-- user_scores.rule_set_version).
--
-- Live changes in one of two ways:
--
-- * Direct edits (PUT /api/v1/rules/preset | thresholds | {code}) write the live tables and
--   publish at once: the version is bumped, its definition is recorded as a 'published' row of
--   rule_set_versions, and every user is rescored in the background.
--
-- * A DRAFT: at most one per project, a 'draft' row of rule_set_versions holding a full
--   definition (weights, thresholds, custom rules), started as a copy of live (`base`, at
--   `base_version`). Editing, testing and what-if read the draft; scoring never does, so a draft
--   changes nothing until it is published. Publishing writes the draft into the live tables in
--   one transaction, bumps the version, turns the draft row into the 'published' row of the new
--   version, and starts a rescore. If live moved after the draft was started (a direct edit),
--   the draft is replayed on the new live: what the draft changed from its base wins, everything
--   else follows live (a three-way merge per weight, per threshold and per custom rule).
--
-- rule_set_versions is thus the history of published definitions, plus the current draft. A
-- version's definition never changes once the next version exists, so a version that was never
-- recorded (version 1 of a project nobody edited, say) is recorded lazily, before it is replaced,
-- with a NULL published_at (unknown).
--
-- The definition (jsonb), the same shape for drafts and published versions:
--   {"weights": {"A01": 10, …},            core rule weights (absent = 0)
--    "reviewThreshold": 33, "blacklistThreshold": null,
--    "ruleThresholds": {"maxDevices": 6},  overrides of the core rules' named thresholds
--    "customRules": [{"code": "X01", "name", "description", "source", "weight"}, …]}

-- Live custom rules. A deleted rule keeps its row (deleted_at set) so that its code is never
-- reused: stored results naming X05 always mean the same rule.
CREATE TABLE custom_rules (
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  code        text NOT NULL CHECK (code ~ '^X[0-9]{2,3}$' AND code NOT IN ('X00', 'X000')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  -- The CEL expression, checked against the feature schema when saved.
  source      text NOT NULL,
  weight      integer NOT NULL DEFAULT 0 CHECK (weight BETWEEN -100 AND 100),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (project_id, code)
);

CREATE TABLE rule_set_versions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id   uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  -- The version this definition is (or was) live as; NULL while a draft.
  version      integer,
  status       text NOT NULL CHECK (status IN ('draft', 'published')),
  definition   jsonb NOT NULL,
  -- For a draft (kept after publishing): the live version it was started from or last replayed
  -- on, and that version's definition, the base of the three-way merge.
  base_version integer,
  base         jsonb,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  published_by text,
  published_at timestamptz,
  CHECK ((status = 'draft') = (version IS NULL)),
  UNIQUE (project_id, version)
);
CREATE UNIQUE INDEX rule_set_versions_one_draft ON rule_set_versions (project_id) WHERE status = 'draft';
