import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProject } from '../src/projects.ts';
import { form, type Harness, postForm, startHarness } from './harness.ts';

interface Family {
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A parser for the Prometheus text format 0.0.4 (what a scraper does with the page). */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string) => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      if (sample.endsWith(suffix) && families.has(sample.slice(0, sample.length - suffix.length))) {
        return families.get(sample.slice(0, sample.length - suffix.length))!;
      }
    }
    throw new Error(`sample ${sample} before its # TYPE line`);
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      assert.ok(!families.has(type[1]!), `family ${type[1]} declared twice`);
      families.set(type[1]!, { type: type[2]!, samples: [] });
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    assert.ok(!line.startsWith('#'), `unexpected comment: ${line}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `malformed sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      for (let pos = 0; pos < m[2].length; ) {
        re.lastIndex = pos;
        const l = re.exec(m[2]);
        assert.ok(l, `malformed labels: ${m[2]}`);
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        pos = re.lastIndex;
      }
    }
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in ${line}`);
    familyOf(m[1]!).samples.push({ name: m[1]!, labels, value });
  }
  return families;
}

describe('GET /metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  async function scrape() {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = parseExposition(res.body);
    const value = (name: string, labels: Record<string, string> = {}) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      const family = families.get(families.has(name) ? name : base);
      assert.ok(family, `missing family for ${name}`);
      const sample = family.samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      assert.ok(sample, `missing sample ${name} ${JSON.stringify(labels)}`);
      return sample.value;
    };
    return { families, value };
  }

  test('the counters and histograms move with the traffic sent', async () => {
    const before = await scrape();
    for (const [name, type] of [
      ['vigil_ingest_events_total', 'counter'],
      ['vigil_ingest_batch_size', 'histogram'],
      ['vigil_ingest_commit_seconds', 'histogram'],
      ['vigil_decide_seconds', 'histogram'],
      ['vigil_rate_limited_requests_total', 'counter'],
      ['vigil_scoring_queue_depth', 'gauge'],
      ['vigil_scoring_queue_oldest_seconds', 'gauge'],
      ['vigil_scoring_lag_seconds', 'summary'],
    ]) {
      assert.equal(before.families.get(name!)?.type, type, name);
    }

    // Sent one at a time so every event commits (the ingest answers after COMMIT).
    const users = ['m-alice', 'm-bob', 'm-carol'];
    const sent = 7;
    for (let i = 0; i < sent; i++) {
      const res = await postForm(h, form({ ipAddress: '8.8.8.8', url: '/m', userName: users[i % 3]! }));
      assert.equal(res.statusCode, 204, res.body);
    }
    const decides = 3;
    for (let i = 0; i < decides; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/decide',
        headers: { 'api-key': h.apiKey },
        payload: { ipAddress: '8.8.4.4', url: '/d', userName: 'm-dave' },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const after1 = await scrape();
    const delta = (name: string, labels?: Record<string, string>) =>
      after1.value(name, labels) - before.value(name, labels);
    assert.equal(delta('vigil_ingest_events_total'), sent + decides);
    const batches = delta('vigil_ingest_batches_total');
    assert.ok(batches >= 1 && batches <= sent + decides);
    assert.equal(delta('vigil_ingest_batch_size_count'), batches);
    assert.equal(delta('vigil_ingest_batch_size_sum'), sent + decides);
    assert.equal(delta('vigil_ingest_commit_seconds_count'), batches);
    assert.ok(delta('vigil_ingest_commit_seconds_sum') > 0);
    assert.equal(delta('vigil_decide_seconds_count'), decides);
    assert.ok(delta('vigil_decide_seconds_sum') > 0);
    // Histogram buckets are cumulative and end with +Inf = count.
    const buckets = after1.families
      .get('vigil_decide_seconds')!
      .samples.filter((s) => s.name.endsWith('_bucket'));
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value);
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, after1.value('vigil_decide_seconds_count'));
    // Scoring is off in this app: the users sent to the sensor wait in the queue (decide scores
    // its user inline); the gauge reads the table at scrape.
    const queued = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_queue')).rows[0]!
      .n;
    assert.equal(queued, users.length);
    assert.equal(after1.value('vigil_scoring_queue_depth'), queued);
    assert.ok(after1.value('vigil_scoring_queue_oldest_seconds') >= 0);
    assert.equal(delta('vigil_rate_limited_requests_total'), 0);
  });

  test('requests refused by the rate limit are counted', async () => {
    const { apiKey } = await createProject(h.db, { name: 'limited', rateLimitRps: 1, rateLimitWindow: 5 });
    const before = await scrape();
    let refused = 0;
    for (let i = 0; i < 8; i++) {
      const res = await postForm(h, form({ ipAddress: '8.8.8.8', url: '/r', userName: 'm-rl' }), {
        'api-key': apiKey,
      });
      if (res.statusCode === 429) refused += 1;
      else assert.equal(res.statusCode, 204, res.body);
    }
    assert.ok(refused >= 3, `only ${refused} refused`);
    const after1 = await scrape();
    assert.equal(
      after1.value('vigil_rate_limited_requests_total') - before.value('vigil_rate_limited_requests_total'),
      refused,
    );
  });
});
