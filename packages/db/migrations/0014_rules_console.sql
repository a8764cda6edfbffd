-- The console's rules page: per-rule precision from review outcomes, and the trials it runs.

-- Each user's latest verdict (approve / blacklist / unblacklist), read per project without
-- scanning watch and review rows: the rules page joins it to the users a rule matched.
CREATE INDEX user_decisions_verdicts ON user_decisions (project_id, user_id, id DESC)
  WHERE decision IN ('approve', 'blacklist', 'unblacklist');

-- The newest decision and the newest score change of a project key the rule statistics cache:
-- a review decision or a rescore that changes what rules matched invalidates it.
CREATE INDEX user_decisions_project_newest ON user_decisions (project_id, id);
CREATE INDEX user_scores_project_newest ON user_scores (project_id, id);

-- Users seen in a period (rule statistics) and the last N users seen (rule tests, what-if); the
-- overview's migration (0011) creates the same index, hence IF NOT EXISTS.
CREATE INDEX IF NOT EXISTS users_project_last_seen ON users (project_id, last_seen);
