import type { Executor } from '@vigil/db';
import type { RuleSets } from './rule-sets.ts';
import { retryOnConflict, scoreUsers, type UserScore } from './score-users.ts';

/**
 * Scores users for synchronous decisions. Concurrent /api/v1/decide requests (their events commit
 * together in one ingest batch) are gathered and scored in one call: loading features and storing
 * scores costs a fixed number of queries per call, so twenty users cost little more than one.
 */
export class InlineScorer {
  private queue: {
    userId: number;
    projectId: string;
    resolve: (s: UserScore | undefined) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly db: Executor,
    private readonly ruleSets: RuleSets,
    private readonly maxConcurrent = 2,
  ) {}

  score(userId: number, projectId: string): Promise<UserScore | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ userId, projectId, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.scheduled || this.running >= this.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running >= this.maxConcurrent || this.queue.length === 0) return;
      const batch = this.queue.splice(0, 500);
      this.running += 1;
      // One entry per user: two decisions about the same user in a batch share its score.
      const users = [
        ...new Map(batch.map((b) => [b.userId, { userId: b.userId, projectId: b.projectId }])).values(),
      ];
      const started = new Date();
      retryOnConflict(() => scoreUsers(this.db, this.ruleSets, users))
        .then(async (scores) => {
          // These users are scored now: the worker need not score them again for the same events.
          await this.db.query(
            `DELETE FROM scoring_queue
              WHERE user_id = ANY($1::bigint[]) AND taken_until IS NULL AND queued_at <= $2`,
            [scores.filter((s) => s.stored).map((s) => s.userId), started],
          );
          return scores;
        })
        .then((scores) => {
          const byUser = new Map(scores.map((s) => [s.userId, s]));
          for (const b of batch) b.resolve(byUser.get(b.userId));
        })
        .catch((error) => {
          for (const b of batch) b.reject(error);
        })
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    });
  }
}
