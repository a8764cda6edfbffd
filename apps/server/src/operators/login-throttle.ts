/**
 * Slows password guessing: after 5 failures for one e-mail, or 20 from one address, within 15
 * minutes, further attempts are refused until the window passes. In memory: a restart forgets,
 * which costs an attacker a restart they cannot cause. Several `vigil start` processes each keep
 * their own counts, so the limits hold per process.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly windowMs = 15 * 60_000,
    private readonly perEmail = 5,
    private readonly perIp = 20,
  ) {}

  /** Seconds to wait before trying again, or 0. */
  retryAfter(email: string, ip: string, now = Date.now()): number {
    const byEmail = this.recent(`e:${email.toLowerCase()}`, now);
    const byIp = this.recent(`i:${ip}`, now);
    const blocked = [
      byEmail.length >= this.perEmail ? byEmail : null,
      byIp.length >= this.perIp ? byIp : null,
    ];
    let wait = 0;
    for (const times of blocked) {
      if (times) wait = Math.max(wait, Math.ceil((times[0]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(email: string, ip: string, now = Date.now()): void {
    for (const key of [`e:${email.toLowerCase()}`, `i:${ip}`])
      this.failures.set(key, [...this.recent(key, now), now]);
    // Bound the memory an attacker can make us hold with random e-mails.
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(email: string): void {
    this.failures.delete(`e:${email.toLowerCase()}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}
