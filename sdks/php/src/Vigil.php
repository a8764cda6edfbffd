<?php

declare(strict_types=1);

namespace Vigil;

/**
 * Client for Vigil, the self-hosted fraud detection server. PHP 8.0+, ext-curl, no other dependency.
 *
 *     $vigil = new \Vigil\Vigil('https://vigil.example.com', 'API_KEY');
 *     $vigil->login('alice');                        // the current request, marked as a login
 *     $verdict = $vigil->decide(['userName' => 'alice', 'eventType' => 'account_login']);
 *
 * Events are batched per request and sent when a batch is full and at shutdown (after
 * fastcgi_finish_request() when available, so the visitor does not wait). Every event carries an
 * idempotency key: retries (network errors, 429, 5xx, honouring Retry-After) never store it twice.
 * track() and the helpers never throw; decide() answers the fail-open/fail-closed default when the
 * server cannot answer within the budget. Apache-2.0.
 */
final class Vigil
{
    public const VERSION = '0.1.0';

    private const PRESETS = [
        'loopback' => ['127.0.0.0/8', '::1/128'],
        'linklocal' => ['169.254.0.0/16', 'fe80::/10'],
        'uniquelocal' => ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    ];

    private string $base;
    private string $apiKey;
    private int $timeoutMs;
    private int $batchTimeoutMs;
    private int $batchSize;
    private int $maxQueue;
    private string $failMode;
    private int $attempts;
    private int $baseMs;
    private int $maxMs;
    private int $flushBudgetMs;
    private bool $captureRequest;
    /** @var mixed */
    private $trustProxy;
    /** @var callable|null */
    private $onWarning;
    private ?string $spoolDir;
    /** @var array<string, mixed> */
    private array $defaults;
    /** @var array<string, mixed>|null */
    private ?array $server;
    private bool $queueDegradedDecisions;

    /** @var list<array{event: array<string, mixed>, request: bool}> */
    private array $queue = [];
    /** @var array<string, int> */
    private array $counters = ['delivered' => 0, 'duplicates' => 0, 'rejected' => 0, 'dropped' => 0, 'retries' => 0, 'degraded' => 0];
    private string $lastWhy = '';
    private bool $closed = false;
    private bool $shutdownRegistered = false;
    /** @var array<string, mixed>|null */
    private ?array $requestContext = null;

    /**
     * @param array{
     *   timeout_ms?: int, batch_timeout_ms?: int, batch_size?: int, max_queue?: int,
     *   fail_mode?: 'open'|'closed', retry?: array{attempts?: int, base_ms?: int, max_ms?: int},
     *   flush_budget_ms?: int, capture_request?: bool, trust_proxy?: mixed, server?: array<string, mixed>,
     *   on_warning?: callable(string, string, int): void, spool_dir?: string|null,
     *   defaults?: array<string, mixed>, queue_degraded_decisions?: bool, register_shutdown?: bool
     * } $options
     */
    public function __construct(string $url, string $apiKey, array $options = [])
    {
        if ($url === '' || $apiKey === '') {
            throw new \InvalidArgumentException('Vigil: url and apiKey are required');
        }
        if (!\function_exists('curl_init')) {
            throw new \RuntimeException('Vigil: the curl extension is required');
        }
        $this->base = rtrim($url, '/');
        $this->apiKey = $apiKey;
        $this->timeoutMs = (int) ($options['timeout_ms'] ?? 1500);
        $this->batchTimeoutMs = (int) ($options['batch_timeout_ms'] ?? 5000);
        $this->batchSize = max(1, min(1000, (int) ($options['batch_size'] ?? 100)));
        $this->maxQueue = max(1, (int) ($options['max_queue'] ?? 10000));
        $this->failMode = ($options['fail_mode'] ?? 'open') === 'closed' ? 'closed' : 'open';
        $retry = $options['retry'] ?? [];
        $this->attempts = max(1, (int) ($retry['attempts'] ?? 3));
        $this->baseMs = (int) ($retry['base_ms'] ?? 100);
        $this->maxMs = (int) ($retry['max_ms'] ?? 2000);
        $this->flushBudgetMs = (int) ($options['flush_budget_ms'] ?? 5000);
        $this->captureRequest = (bool) ($options['capture_request'] ?? true);
        $this->trustProxy = $options['trust_proxy'] ?? null;
        $this->onWarning = $options['on_warning'] ?? null;
        $this->spoolDir = $options['spool_dir'] ?? null;
        $this->defaults = $options['defaults'] ?? [];
        $this->server = $options['server'] ?? null;
        $this->queueDegradedDecisions = (bool) ($options['queue_degraded_decisions'] ?? true);
        if ($options['register_shutdown'] ?? true) {
            register_shutdown_function([$this, 'shutdown']);
            $this->shutdownRegistered = true;
        }
    }

    // ── tracking ───────────────────────────────────────────────────────────────────────────────

    /**
     * Queues an event (protocol field names: userName, ipAddress, url, eventType, emailAddress…).
     * In a web request the request's IP, URL, method, user agent, language, referer and, at
     * shutdown, status code fill what the event does not set. Never throws.
     *
     * @param array<string, mixed> $event
     */
    public function track(array $event = []): void
    {
        try {
            if ($this->closed) {
                $this->warn('invalid_call', 'track() after close(): dropped');
                return;
            }
            $this->enqueue($this->prepare($event), $this->fromRequest());
            if (\count($this->queue) >= $this->batchSize) {
                $this->flush();
            }
        } catch (\Throwable $e) {
            $this->warn('invalid_call', 'track() failed: ' . $e->getMessage());
        }
    }

    /** @param array<string, mixed> $extra */
    public function login(string $userName, array $extra = []): void
    {
        $this->track(['userName' => $userName, 'eventType' => 'account_login'] + $extra);
    }

    /** @param array<string, mixed> $extra */
    public function loginFailed(string $userName, array $extra = []): void
    {
        $this->track(['userName' => $userName, 'eventType' => 'account_login_fail'] + $extra);
    }

    /** @param array<string, mixed> $extra */
    public function logout(string $userName, array $extra = []): void
    {
        $this->track(['userName' => $userName, 'eventType' => 'account_logout'] + $extra);
    }

    /** @param array<string, mixed> $details emailAddress, phoneNumber, firstName, lastName, fullName, userCreated */
    public function registered(string $userName, array $details = []): void
    {
        $this->track(['userName' => $userName, 'eventType' => 'account_registration'] + $details);
    }

    /** @param array<string, mixed> $extra */
    public function passwordChanged(string $userName, array $extra = []): void
    {
        $this->track(['userName' => $userName, 'eventType' => 'account_password_change'] + $extra);
    }

    /** @param array<string, mixed> $extra */
    public function emailChanged(string $userName, string $oldEmail, string $newEmail, array $extra = []): void
    {
        $this->track([
            'userName' => $userName,
            'eventType' => 'account_email_change',
            'emailAddress' => $newEmail,
            'payload' => ['old_value' => $oldEmail, 'new_value' => $newEmail],
        ] + $extra);
    }

    /**
     * One field_edit event. $changes: [[fieldId, oldValue, newValue, fieldName?], …], or one change
     * as fieldEdited($user, 'city', 'London', 'Paris', 'City').
     *
     * @param string|int|array<int, array<int, mixed>> $fieldIdOrChanges
     */
    public function fieldEdited(string $userName, $fieldIdOrChanges, $oldValue = null, $newValue = null, ?string $fieldName = null): void
    {
        $changes = \is_array($fieldIdOrChanges) ? $fieldIdOrChanges : [[$fieldIdOrChanges, $oldValue, $newValue, $fieldName]];
        $history = [];
        foreach ($changes as $c) {
            $item = [
                'field_id' => (string) $c[0],
                'old_value' => isset($c[1]) ? (string) $c[1] : null,
                'new_value' => isset($c[2]) ? (string) $c[2] : '',
            ];
            if (isset($c[3])) {
                $item['field_name'] = (string) $c[3];
            }
            $history[] = $item;
        }
        $this->track(['userName' => $userName, 'eventType' => 'field_edit', 'fieldHistory' => $history]);
    }

    // ── synchronous calls ──────────────────────────────────────────────────────────────────────

    /**
     * Stores the event and scores its user, within timeout_ms. Never throws: when the server cannot
     * answer, ['decision' => 'allow'|'block' (fail-open|closed), 'degraded' => true, …].
     *
     * @param array<string, mixed> $event
     * @return array{decision: string, score: int|null, reasons: list<array<string, mixed>>, degraded: bool, status?: string, userName?: string, eventId?: int, error?: string}
     */
    public function decide(array $event = []): array
    {
        $why = 'unknown error';
        $requeue = false;
        $prepared = null;
        try {
            $prepared = $this->prepare($event);
            [$status, , $body] = $this->budgeted('POST', '/api/v1/decide', $this->json($prepared));
            if ($status === 200 && \is_array($body) && \is_string($body['decision'] ?? null)) {
                return [
                    'decision' => $body['decision'],
                    'score' => $body['score'] ?? null,
                    'reasons' => $body['reasons'] ?? [],
                    'degraded' => false,
                    'status' => $body['status'] ?? null,
                    'userName' => $body['userName'] ?? null,
                    'eventId' => $body['eventId'] ?? null,
                ];
            }
            $why = self::describe($status, $body);
            $requeue = $status === 429 || $status >= 500;
        } catch (\Throwable $e) {
            $why = $e->getMessage();
            $requeue = $prepared !== null;
        }
        $this->counters['degraded']++;
        if ($requeue && $prepared !== null && $this->queueDegradedDecisions && !$this->closed) {
            // Maybe not stored: deliver it later; its idempotency key keeps it single if it was.
            $this->enqueue($prepared, false);
        }
        $decision = $this->failMode === 'closed' ? 'block' : 'allow';
        $this->warn('degraded', "decide answered $decision by default: $why");
        return ['decision' => $decision, 'score' => null, 'reasons' => [], 'degraded' => true, 'error' => $why];
    }

    /** Whether the value (user id, IP, e-mail or phone) is blacklisted; the fail-mode default on failure. */
    public function isBlacklisted(string $value): bool
    {
        try {
            [$status, , $body] = $this->budgeted('POST', '/api/v1/blacklist/search', $this->json(['value' => $value]));
            if ($status === 200 && \is_bool($body['blacklisted'] ?? null)) {
                return $body['blacklisted'];
            }
            $why = self::describe($status, $body);
        } catch (\Throwable $e) {
            $why = $e->getMessage();
        }
        $this->counters['degraded']++;
        $blocked = $this->failMode === 'closed';
        $this->warn('degraded', 'isBlacklisted answered ' . ($blocked ? 'true' : 'false') . " by default: $why");
        return $blocked;
    }

    /**
     * The user's score and status, or null for an unknown user.
     *
     * @return array<string, mixed>|null
     * @throws VigilException
     */
    public function getUser(string $userName): ?array
    {
        [$status, , $body] = $this->budgeted('GET', '/api/v1/users/' . rawurlencode($userName), null);
        if ($status === 404) {
            return null;
        }
        if ($status !== 200 || !\is_array($body)) {
            throw new VigilException(self::describe($status, $body), $status);
        }
        return $body;
    }

    /**
     * The user's latest events, newest first ([] for an unknown user).
     *
     * @return list<array<string, mixed>>
     * @throws VigilException
     */
    public function getUserEvents(string $userName, int $limit = 50): array
    {
        [$status, , $body] = $this->budgeted('GET', '/api/v1/users/' . rawurlencode($userName) . '/events?limit=' . $limit, null);
        if ($status === 404) {
            return [];
        }
        if ($status !== 200 || !\is_array($body)) {
            throw new VigilException(self::describe($status, $body), $status);
        }
        return $body['events'] ?? [];
    }

    // ── delivery ───────────────────────────────────────────────────────────────────────────────

    /**
     * Sends everything queued (and spooled), with retries, within flush_budget_ms. True when nothing
     * is left; failed events stay queued for the next flush. Never throws.
     */
    public function flush(): bool
    {
        try {
            $this->claimSpool();
            $deadline = self::now() + $this->flushBudgetMs / 1000;
            while ($this->queue) {
                $batch = \array_slice($this->queue, 0, $this->batchSize);
                $left = $this->deliver($batch, $deadline);
                $this->queue = array_merge($left, \array_slice($this->queue, \count($batch)));
                if ($left) {
                    $this->warn('delivery_failed', sprintf(
                        'could not deliver %d events (%s); %d stay queued',
                        \count($left),
                        $this->lastWhy,
                        \count($this->queue),
                    ), \count($left));
                    return false;
                }
            }
        } catch (\Throwable $e) {
            $this->warn('delivery_failed', 'delivery failed: ' . $e->getMessage());
            return false;
        }
        return true;
    }

    /**
     * Flushes; what still cannot be delivered goes to spool_dir when set (a later flush sends it),
     * otherwise it is reported as lost.
     */
    public function close(): void
    {
        if ($this->closed) {
            return;
        }
        $this->flush();
        $this->closed = true;
        if (!$this->queue) {
            return;
        }
        $n = \count($this->queue);
        if ($this->spoolDir !== null && $this->spool()) {
            $this->warn('spooled', "$n undelivered events written to {$this->spoolDir} for a later flush", $n);
        } else {
            $this->counters['dropped'] += $n;
            $this->warn('lost', "$n undelivered events are lost ({$this->lastWhy})", $n);
        }
        $this->queue = [];
    }

    /** @internal The shutdown function: the response first, then the events. */
    public function shutdown(): void
    {
        if ($this->closed || !$this->queue) {
            $this->closed = true;
            return;
        }
        if (\function_exists('fastcgi_finish_request') && \PHP_SAPI !== 'cli') {
            // Status code known: set it on this request's events before the response is finished.
            $this->fillStatus();
            fastcgi_finish_request();
        }
        $this->close();
    }

    /** @return array<string, int> queued, delivered, duplicates, rejected, dropped, retries, degraded */
    public function stats(): array
    {
        return ['queued' => \count($this->queue)] + $this->counters;
    }

    // ── request context ────────────────────────────────────────────────────────────────────────

    /**
     * Sets the request the next events belong to (long-running workers such as Octane or RoadRunner,
     * where $_SERVER is not the current request): a $_SERVER-like array.
     *
     * @param array<string, mixed> $server
     */
    public function setRequest(array $server): void
    {
        $this->server = $server;
        $this->requestContext = null;
    }

    /**
     * The current request's fields (web SAPI, or the `server` option): client IP behind trusted
     * proxies, URL with its query, method, user agent, language, referer.
     *
     * @return array<string, mixed>
     */
    public function requestContext(): array
    {
        if ($this->requestContext !== null) {
            return $this->requestContext;
        }
        $s = $this->server ?? (\PHP_SAPI === 'cli' ? [] : $_SERVER);
        if (!$this->captureRequest || !isset($s['REQUEST_METHOD'])) {
            return $this->requestContext = [];
        }
        return $this->requestContext = [
            'ipAddress' => self::clientIp((string) ($s['REMOTE_ADDR'] ?? ''), (string) ($s['HTTP_X_FORWARDED_FOR'] ?? ''), $this->trustProxy),
            'url' => (string) ($s['REQUEST_URI'] ?? '/'),
            'httpMethod' => (string) $s['REQUEST_METHOD'],
            'userAgent' => (string) ($s['HTTP_USER_AGENT'] ?? ''),
            'browserLanguage' => (string) ($s['HTTP_ACCEPT_LANGUAGE'] ?? ''),
            'httpReferer' => (string) ($s['HTTP_REFERER'] ?? ''),
        ];
    }

    /**
     * The client address: from the socket peer, step left through X-Forwarded-For while the hop is a
     * trusted proxy. $trust: null/false (socket address only), true (every hop), an int (hops), a
     * list or comma-separated string of IPs/CIDRs/presets (loopback, linklocal, uniquelocal), or a
     * callable(string $address, int $hop): bool.
     *
     * @param mixed $trust
     */
    public static function clientIp(string $remoteAddr, string $forwardedFor, $trust): string
    {
        $chain = [$remoteAddr];
        foreach (array_reverse(explode(',', $forwardedFor)) as $hop) {
            if (trim($hop) !== '') {
                $chain[] = trim($hop);
            }
        }
        $trusted = self::trustFunction($trust);
        $i = 0;
        while ($i < \count($chain) - 1 && $trusted(self::normalizeIp($chain[$i]), $i)) {
            $i++;
        }
        return self::normalizeIp($chain[$i]);
    }

    public static function normalizeIp(string $ip): string
    {
        $s = trim($ip);
        if (preg_match('/^\[([^\]]+)\](?::\d+)?$/', $s, $m)) {
            $s = $m[1];
        } elseif (preg_match('/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/', $s, $m)) {
            $s = $m[1];
        }
        $s = preg_replace('/%.*$/', '', $s) ?? $s;
        if (preg_match('/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i', $s, $m)) {
            $s = $m[1];
        }
        return $s;
    }

    /** @param mixed $trust */
    private static function trustFunction($trust): callable
    {
        if (\is_callable($trust) && !\is_string($trust)) {
            return $trust;
        }
        if ($trust === true) {
            return static fn (string $a, int $hop): bool => true;
        }
        if (\is_int($trust)) {
            return static fn (string $a, int $hop): bool => $hop < $trust;
        }
        if (\is_string($trust) || \is_array($trust)) {
            $ranges = [];
            foreach (\is_string($trust) ? explode(',', $trust) : $trust as $item) {
                foreach (self::PRESETS[trim((string) $item)] ?? [trim((string) $item)] as $cidr) {
                    if ($cidr === '') {
                        continue;
                    }
                    [$addr, $bits] = array_pad(explode('/', $cidr, 2), 2, null);
                    $bin = @inet_pton((string) $addr);
                    if ($bin === false) {
                        throw new \InvalidArgumentException("trust_proxy: not an address or CIDR: $cidr");
                    }
                    $ranges[] = [$bin, $bits === null ? \strlen($bin) * 8 : (int) $bits];
                }
            }
            return static function (string $address, int $hop) use ($ranges): bool {
                $bin = @inet_pton($address);
                if ($bin === false) {
                    return false;
                }
                foreach ($ranges as [$net, $bits]) {
                    if (\strlen($net) !== \strlen($bin)) {
                        continue;
                    }
                    $bytes = intdiv($bits, 8);
                    if (substr($net, 0, $bytes) !== substr($bin, 0, $bytes)) {
                        continue;
                    }
                    $rest = $bits % 8;
                    if ($rest === 0) {
                        return true;
                    }
                    $mask = (0xff << (8 - $rest)) & 0xff;
                    if ((\ord($net[$bytes]) & $mask) === (\ord($bin[$bytes]) & $mask)) {
                        return true;
                    }
                }
                return false;
            };
        }
        return static fn (string $a, int $hop): bool => false;
    }

    // ── internals ──────────────────────────────────────────────────────────────────────────────

    private function fromRequest(): bool
    {
        return $this->requestContext() !== [];
    }

    /**
     * @param array<string, mixed> $event
     * @return array<string, mixed>
     */
    private function prepare(array $event): array
    {
        $wire = [];
        foreach ([$this->requestContext(), $this->defaults, $event] as $source) {
            foreach ($source as $k => $v) {
                if ($v !== null) {
                    $wire[$k] = $v instanceof \DateTimeInterface ? self::iso($v) : $v;
                }
            }
        }
        // The time of the action, not of the (later) delivery.
        $wire['eventTime'] ??= self::iso(new \DateTimeImmutable('now'));
        if (!\is_string($wire['idempotencyKey'] ?? null) || $wire['idempotencyKey'] === '') {
            $wire['idempotencyKey'] = self::uuid4();
        }
        $this->json($wire); // unserialisable events fail here, in track(), not at delivery
        return $wire;
    }

    /** @param array<string, mixed> $event */
    private function enqueue(array $event, bool $fromRequest): void
    {
        $this->queue[] = ['event' => $event, 'request' => $fromRequest];
        $extra = \count($this->queue) - $this->maxQueue;
        if ($extra > 0) {
            array_splice($this->queue, 0, $extra);
            $this->counters['dropped'] += $extra;
            $this->warn('queue_overflow', "queue full ({$this->maxQueue} events): dropped the $extra oldest", $extra);
        }
    }

    private function fillStatus(): void
    {
        $code = \PHP_SAPI === 'cli' ? false : http_response_code();
        if (!\is_int($code)) {
            return;
        }
        foreach ($this->queue as &$item) {
            if ($item['request'] && !isset($item['event']['httpCode'])) {
                $item['event']['httpCode'] = $code;
            }
        }
        unset($item);
    }

    /**
     * Sends one batch with retries; returns the items still to deliver ([] when done).
     *
     * @param list<array{event: array<string, mixed>, request: bool}> $batch
     * @return list<array{event: array<string, mixed>, request: bool}>
     */
    private function deliver(array $batch, float $deadline): array
    {
        $this->fillStatus();
        $body = '[' . implode(',', array_map(fn ($i) => $this->json($i['event']), $batch)) . ']';
        for ($attempt = 0; ; $attempt++) {
            $status = 0;
            $retryAfter = null;
            $answer = null;
            try {
                [$status, $retryAfter, $answer] = $this->call('POST', '/api/v1/events', $body, $this->batchTimeoutMs);
            } catch (VigilException $e) {
                $this->lastWhy = $e->getMessage();
            }
            if ($status === 200) {
                $this->account(\count($batch), $answer);
                return [];
            }
            if ($status !== 0) {
                // Too large, or one event the database refuses: split, so the others get through.
                if (($status === 413 || $status === 422) && \count($batch) > 1) {
                    $half = intdiv(\count($batch), 2);
                    $left = $this->deliver(\array_slice($batch, 0, $half), $deadline);
                    return $left ? array_merge($left, \array_slice($batch, $half)) : $this->deliver(\array_slice($batch, $half), $deadline);
                }
                $this->lastWhy = self::describe($status, $answer);
                if ($status !== 429 && $status < 500) {
                    $this->counters['rejected'] += \count($batch);
                    $this->warn('rejected', sprintf('the server refused %d events: %s', \count($batch), $this->lastWhy), \count($batch));
                    return [];
                }
            }
            if ($attempt + 1 >= $this->attempts) {
                return $batch;
            }
            $wait = $this->backoff($attempt, $retryAfter);
            if (self::now() + $wait > $deadline) {
                return $batch;
            }
            $this->counters['retries']++;
            usleep((int) round($wait * 1e6));
        }
    }

    /** @param mixed $answer */
    private function account(int $count, $answer): void
    {
        $results = \is_array($answer) && \is_array($answer['results'] ?? null) ? $answer['results'] : [];
        if (!$results) {
            $this->counters['delivered'] += $count;
            return;
        }
        $refused = [];
        foreach ($results as $r) {
            $status = $r['status'] ?? null;
            if ($status === 'duplicate') {
                $this->counters['duplicates']++;
            } elseif ($status === 'rejected') {
                $refused[] = sprintf('#%s %s: %s', $r['index'] ?? '?', $r['error']['field'] ?? '', $r['error']['message'] ?? 'rejected');
            } else {
                $this->counters['delivered']++;
            }
        }
        if ($refused) {
            $this->counters['rejected'] += \count($refused);
            $this->warn('rejected', sprintf('the server refused %d events: %s', \count($refused), implode('; ', \array_slice($refused, 0, 3))), \count($refused));
        }
    }

    /** Seconds to wait: Retry-After when given, else full jitter below an exponential ceiling. */
    private function backoff(int $attempt, ?float $retryAfter): float
    {
        if ($retryAfter !== null) {
            return $retryAfter;
        }
        $ceiling = min($this->maxMs, $this->baseMs * (2 ** $attempt)) / 1000;
        return $ceiling * (mt_rand() / mt_getrandmax());
    }

    /**
     * One request, retried on network errors, 429 and 5xx while the timeout_ms budget allows.
     *
     * @return array{0: int, 1: float|null, 2: mixed}
     */
    private function budgeted(string $method, string $path, ?string $body): array
    {
        $deadline = self::now() + $this->timeoutMs / 1000;
        for ($attempt = 0; ; $attempt++) {
            $answer = null;
            $failure = null;
            try {
                $answer = $this->call($method, $path, $body, (int) floor(($deadline - self::now()) * 1000));
                if ($answer[0] !== 429 && $answer[0] < 500) {
                    return $answer;
                }
            } catch (VigilException $e) {
                $failure = $e;
            }
            $wait = $this->backoff($attempt, $answer[1] ?? null);
            if ($attempt + 1 >= $this->attempts || self::now() + $wait >= $deadline) {
                if ($answer !== null) {
                    return $answer;
                }
                throw $failure ?? new VigilException('no answer');
            }
            $this->counters['retries']++;
            usleep((int) round($wait * 1e6));
        }
    }

    /**
     * @return array{0: int, 1: float|null, 2: mixed} status, Retry-After in seconds, decoded JSON body
     * @throws VigilException on network errors and timeouts
     */
    private function call(string $method, string $path, ?string $body, int $timeoutMs): array
    {
        $timeoutMs = max(1, $timeoutMs);
        $retryAfter = null;
        $ch = curl_init($this->base . $path);
        $headers = ['Api-Key: ' . $this->apiKey, 'Accept: application/json', 'Expect:'];
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_CONNECTTIMEOUT_MS => $timeoutMs,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_USERAGENT => 'vigil-sdk-php/' . self::VERSION,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$retryAfter): int {
                if (stripos($line, 'retry-after:') === 0) {
                    $retryAfter = self::parseRetryAfter(trim(substr($line, 12)));
                }
                return \strlen($line);
            },
        ]);
        $text = curl_exec($ch);
        $errno = curl_errno($ch);
        $error = curl_error($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        if ($text === false || $errno !== 0) {
            if ($errno === CURLE_OPERATION_TIMEDOUT) {
                throw new VigilException("no answer within $timeoutMs ms");
            }
            throw new VigilException("network error: $error");
        }
        $decoded = $text === '' ? null : json_decode((string) $text, true);
        return [$status, $retryAfter, $decoded];
    }

    /** Retry-After in seconds: delta-seconds or an HTTP date; null when unreadable. */
    public static function parseRetryAfter(string $value, ?float $now = null): ?float
    {
        $v = trim($value);
        if (preg_match('/^\d+(\.\d+)?$/', $v)) {
            return (float) $v;
        }
        $at = strtotime($v);
        if ($at === false) {
            return null;
        }
        return max(0.0, $at - ($now ?? microtime(true)));
    }

    /** Moves spool files (this client's or another process's) into the queue. */
    private function claimSpool(): void
    {
        if ($this->spoolDir === null || !is_dir($this->spoolDir)) {
            return;
        }
        foreach (glob($this->spoolDir . '/vigil-*.jsonl') ?: [] as $file) {
            $claimed = $file . '.' . bin2hex(random_bytes(4)) . '.claimed';
            if (!@rename($file, $claimed)) {
                continue; // another process took it
            }
            $lines = file($claimed, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
            @unlink($claimed);
            foreach ($lines as $line) {
                $event = json_decode($line, true);
                if (\is_array($event)) {
                    $this->enqueue($event, false);
                }
            }
        }
    }

    private function spool(): bool
    {
        if (!is_dir((string) $this->spoolDir) && !@mkdir((string) $this->spoolDir, 0700, true)) {
            return false;
        }
        $lines = '';
        foreach ($this->queue as $item) {
            $lines .= $this->json($item['event']) . "\n";
        }
        $tmp = sprintf('%s/.vigil-%d-%s.tmp', $this->spoolDir, getmypid(), bin2hex(random_bytes(6)));
        if (@file_put_contents($tmp, $lines) === false) {
            return false;
        }
        return @rename($tmp, \dirname($tmp) . '/vigil-' . substr(basename($tmp), 7, -4) . '.jsonl');
    }

    private function warn(string $code, string $message, int $count = 0): void
    {
        try {
            if ($this->onWarning !== null) {
                ($this->onWarning)($code, $message, $count);
            } else {
                error_log("[vigil] $message");
            }
        } catch (\Throwable $e) {
            // A broken handler must not break tracking.
        }
    }

    /** @param mixed $value */
    private function json($value): string
    {
        return json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
    }

    /** @param mixed $body */
    private static function describe(int $status, $body): string
    {
        $error = \is_array($body) ? ($body['error'] ?? null) : null;
        return \is_array($error) && isset($error['code']) ? "HTTP $status {$error['code']}: " . ($error['message'] ?? '') : "HTTP $status";
    }

    private static function iso(\DateTimeInterface $t): string
    {
        return \DateTimeImmutable::createFromInterface($t)->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d\TH:i:s.v\Z');
    }

    private static function uuid4(): string
    {
        $b = random_bytes(16);
        $b[6] = \chr((\ord($b[6]) & 0x0f) | 0x40);
        $b[8] = \chr((\ord($b[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
    }

    private static function now(): float
    {
        return microtime(true);
    }
}

/** A failed read (getUser, getUserEvents); the code is the HTTP status when the server answered. */
final class VigilException extends \RuntimeException
{
}
