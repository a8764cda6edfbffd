<?php
// Tests of sdks/php/src/Vigil.php against a real Vigil server: VIGIL_URL / VIGIL_API_KEY, or one
// started with `node sdks/test-server.mjs`. Faults come from a `php -S` proxy (proxy-router.php)
// and a TCP server that accepts and never answers. Prints "N passed, N failed"; exit code 1 on failure.
//
//   php sdks/php/tests/run.php [name-filter]
declare(strict_types=1);

require __DIR__ . '/../src/Vigil.php';

use Vigil\Vigil;

final class Failed extends Exception
{
}

/** @var array<string, callable> $tests */
$tests = [];
function test(string $name, callable $fn): void
{
    global $tests;
    $tests[$name] = $fn;
}
function check(bool $ok, string $message): void
{
    if (!$ok) {
        throw new Failed($message);
    }
}
function same($expected, $actual, string $message = ''): void
{
    if ($expected !== $actual) {
        throw new Failed(($message !== '' ? "$message: " : '') . 'expected ' . var_export($expected, true) . ', got ' . var_export($actual, true));
    }
}

/** Same keys and values, in any order (JSON objects). */
function equal(array $expected, array $actual, string $message = ''): void
{
    ksort($expected);
    ksort($actual);
    same($expected, $actual, $message);
}

/** A user name unique to this run, so that the tests can run again against the same server. */
function u(string $name): string
{
    static $run = null;
    $run ??= dechex(random_int(0, 0xffffff));
    return "$name-$run";
}

// ── the server ──────────────────────────────────────────────────────────────────────────────
$serverProcess = null;
function server(): array
{
    global $serverProcess;
    static $info = null;
    if ($info !== null) {
        return $info;
    }
    $url = getenv('VIGIL_URL');
    $key = getenv('VIGIL_API_KEY');
    if ($url && $key) {
        return $info = [rtrim($url, '/'), $key];
    }
    $serverProcess = proc_open(['node', __DIR__ . '/../../test-server.mjs'], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => STDERR], $pipes);
    $line = fgets($pipes[1]);
    if (!$line) {
        fwrite(STDERR, "node sdks/test-server.mjs did not start (is the repo built?)\n");
        exit(1);
    }
    $serverProcess = [$serverProcess, $pipes];
    $decoded = json_decode($line, true);
    return $info = [$decoded['url'], $decoded['apiKey']];
}

function api(string $method, string $path, ?array $body = null, ?string $key = null): array
{
    [$url, $apiKey] = server();
    $ch = curl_init($url . $path);
    $headers = ['Api-Key: ' . ($key ?? $apiKey)];
    if ($body !== null) {
        $headers[] = 'Content-Type: application/json';
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body));
    }
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_HTTPHEADER => $headers, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10]);
    $text = curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, json_decode((string) $text, true)];
}

function serverEvents(string $userName): array
{
    [$status, $body] = api('GET', '/api/v1/users/' . rawurlencode($userName) . '/events?limit=1000');
    if ($status === 404) {
        return [];
    }
    check($status === 200, "events of $userName: $status");
    return $body['events'];
}

function freePort(): int
{
    $s = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($s, false);
    fclose($s);
    return (int) substr($name, strrpos($name, ':') + 1);
}

/** A `php -S` proxy to the real server on $port; $plan: actions for the 1st, 2nd… request (then forward). */
final class FaultProxy
{
    public string $url;
    private $process;
    private string $state;

    public function __construct(array $plan, ?int $port = null)
    {
        $port ??= freePort();
        $this->state = tempnam(sys_get_temp_dir(), 'vigil-proxy-');
        file_put_contents($this->state, json_encode(['plan' => $plan, 'hits' => []]));
        $env = getenv() + ['VIGIL_UPSTREAM' => server()[0], 'VIGIL_PROXY_STATE' => $this->state];
        $env['VIGIL_UPSTREAM'] = server()[0];
        $env['VIGIL_PROXY_STATE'] = $this->state;
        unset($env['PHP_CLI_SERVER_WORKERS']);
        $this->process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/proxy-router.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            $env,
        );
        $this->url = "http://127.0.0.1:$port";
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $c = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2);
            if ($c) {
                fclose($c);
                return;
            }
            usleep(20000);
        }
        throw new RuntimeException('php -S proxy did not start');
    }

    /** @return list<array{at: float, method: string, path: string, status: int, events: int|null}> */
    public function hits(): array
    {
        return json_decode((string) file_get_contents($this->state), true)['hits'];
    }

    public function close(): void
    {
        proc_terminate($this->process);
        proc_close($this->process);
        @unlink($this->state);
    }
}

final class Warnings
{
    /** @var list<array{0: string, 1: string, 2: int}> */
    public array $list = [];

    public function __invoke(string $code, string $message, int $count): void
    {
        $this->list[] = [$code, $message, $count];
    }

    public function codes(): array
    {
        return array_map(fn ($w) => $w[0], $this->list);
    }
}

const FAST = ['attempts' => 3, 'base_ms' => 10, 'max_ms' => 50];

function client(array $options = [], ?string $url = null, ?string $key = null): Vigil
{
    [$u, $k] = server();
    return new Vigil($url ?? $u, $key ?? $k, $options + ['retry' => FAST, 'on_warning' => new Warnings(), 'register_shutdown' => false]);
}

// ── tests ───────────────────────────────────────────────────────────────────────────────────

test('track + flush: every field arrives as sent', function () {
    $w = new Warnings();
    $vigil = client(['on_warning' => $w]);
    $base = [
        'userName' => u('php-alice'),
        'ipAddress' => '8.8.4.4',
        'userAgent' => 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        'browserLanguage' => 'fr-FR,fr;q=0.9',
        'httpMethod' => 'POST',
        'httpReferer' => 'https://shop.example/',
    ];
    $vigil->track($base + [
        'url' => '/login?next=%2Fhome',
        'eventType' => 'account_login',
        'eventTime' => new DateTimeImmutable('2026-03-01 11:00:00', new DateTimeZone('Europe/Paris')),
        'emailAddress' => 'Alice@Example.com',
        'phoneNumber' => '+33 6 12 34 56 78',
        'httpCode' => 200,
    ]);
    $vigil->track($base + [
        'url' => '/profile',
        'eventType' => 'field_edit',
        'eventTime' => '2026-03-01T10:01:00.000Z',
        'fieldHistory' => [['field_id' => 'city', 'old_value' => 'London', 'new_value' => 'Paris', 'field_name' => 'City']],
    ]);
    $vigil->track($base + [
        'url' => '/search',
        'eventType' => 'page_search',
        'eventTime' => '2026-03-01T10:02:00Z',
        'payload' => ['field_id' => 'q', 'value' => 'red shoes', 'field_name' => 'Query'],
    ]);
    check($vigil->flush(), 'flush');
    same([], $w->list, 'warnings');
    same(3, $vigil->stats()['delivered']);
    [$search, $edit, $login] = serverEvents(u('php-alice'));
    same('account_login', $login['type']);
    same('2026-03-01T10:00:00.000Z', $login['time']);
    same('8.8.4.4', $login['ipAddress']);
    same('/login', $login['url']);
    same('?next=%2Fhome', $login['query']);
    same($base['userAgent'], $login['userAgent']);
    same('fr-FR,fr;q=0.9', $login['browserLanguage']);
    same('POST', $login['httpMethod']);
    same('https://shop.example/', $login['httpReferer']);
    same(200, $login['httpCode']);
    same('alice@example.com', $login['emailAddress']);
    same('+33612345678', $login['phoneNumber']);
    same('field_edit', $edit['type']);
    same([['fieldId' => 'city', 'fieldName' => 'City', 'oldValue' => 'London', 'newValue' => 'Paris', 'parentId' => null, 'parentName' => null]], $edit['fieldHistory']);
    same('page_search', $search['type']);
    equal(['field_id' => 'q', 'value' => 'red shoes', 'field_name' => 'Query'], $search['payload']);
});

test('the request context and the helpers', function () {
    $vigil = client(['trust_proxy' => 'loopback', 'server' => [
        'REQUEST_METHOD' => 'POST',
        'REQUEST_URI' => '/account?tab=1',
        'REMOTE_ADDR' => '127.0.0.1',
        'HTTP_X_FORWARDED_FOR' => '203.0.113.9, 198.51.100.7',
        'HTTP_USER_AGENT' => 'Mozilla/5.0 PHPTest',
        'HTTP_ACCEPT_LANGUAGE' => 'de-DE',
        'HTTP_REFERER' => 'https://ref.example/',
    ]]);
    $vigil->login(u('php-helper'));
    $vigil->loginFailed(u('php-helper'));
    $vigil->registered(u('php-helper-2'), ['emailAddress' => 'new@example.com', 'fullName' => 'New User']);
    $vigil->passwordChanged(u('php-helper'));
    $vigil->emailChanged(u('php-helper'), 'old@example.com', 'new@example.com');
    $vigil->fieldEdited(u('php-helper'), [['city', 'London', 'Paris', 'City'], ['zip', null, '75001']]);
    $vigil->logout(u('php-helper'));
    check($vigil->flush(), 'flush');
    $events = serverEvents(u('php-helper'));
    same(6, count($events));
    $byType = [];
    foreach ($events as $e) {
        $byType[$e['type']] = $e;
        same('198.51.100.7', $e['ipAddress'], 'client IP behind the trusted proxy');
        same('/account', $e['url']);
        same('?tab=1', $e['query']);
        same('POST', $e['httpMethod']);
        same('Mozilla/5.0 PHPTest', $e['userAgent']);
        same('de-DE', $e['browserLanguage']);
        same('https://ref.example/', $e['httpReferer']);
    }
    ksort($byType);
    same(['account_email_change', 'account_login', 'account_login_fail', 'account_logout', 'account_password_change', 'field_edit'], array_keys($byType));
    equal(['old_value' => 'old@example.com', 'new_value' => 'new@example.com'], $byType['account_email_change']['payload']);
    same([['city', 'London', 'Paris', 'City'], ['zip', null, '75001', null]], array_map(
        fn ($c) => [$c['fieldId'], $c['oldValue'], $c['newValue'], $c['fieldName']],
        $byType['field_edit']['fieldHistory'],
    ));
    same('account_registration', serverEvents(u('php-helper-2'))[0]['type']);
    same('new@example.com', serverEvents(u('php-helper-2'))[0]['emailAddress']);
});

test('client IP behind proxies', function () {
    $xff = '198.51.100.1, 10.0.0.5, 10.0.0.6';
    same('10.0.0.7', Vigil::clientIp('::ffff:10.0.0.7', $xff, null));
    same('198.51.100.1', Vigil::clientIp('10.0.0.7', $xff, true));
    same('10.0.0.6', Vigil::clientIp('10.0.0.7', $xff, 1));
    same('198.51.100.1', Vigil::clientIp('10.0.0.7', "6.6.6.6, $xff", ['10.0.0.0/8']));
    same('203.0.113.5', Vigil::clientIp('203.0.113.5', $xff, ['10.0.0.0/8']));
    same('198.51.100.1', Vigil::clientIp('10.0.0.7', $xff, 'uniquelocal'));
    same('2001:db8::9', Vigil::clientIp('::1', '2001:db8::9', 'loopback'));
    same('10.0.0.5', Vigil::clientIp('10.0.0.7', $xff, '10.0.0.7, 10.0.0.6'));
    same('198.51.100.2', Vigil::clientIp('172.31.255.1', '198.51.100.2', '172.16.0.0/12'));
    same('172.32.0.1', Vigil::clientIp('172.32.0.1', '198.51.100.2', '172.16.0.0/12'));
});

test('batches: a full batch is sent at once', function () {
    $proxy = new FaultProxy([]);
    try {
        $vigil = client(['batch_size' => 5], $proxy->url);
        for ($i = 0; $i < 12; $i++) {
            $vigil->track(['userName' => u('php-batch'), 'ipAddress' => '8.8.4.4', 'url' => "/p/$i"]);
        }
        same(2, count($proxy->hits()), 'two full batches already sent');
        same(2, $vigil->stats()['queued']);
        $vigil->flush();
        same([5, 5, 2], array_map(fn ($h) => $h['events'], $proxy->hits()));
        same(12, count(serverEvents(u('php-batch'))));
    } finally {
        $proxy->close();
    }
});

test('overflow drops the oldest, with a counted warning', function () {
    $w = new Warnings();
    $vigil = client(['max_queue' => 3, 'on_warning' => $w]);
    for ($i = 0; $i < 5; $i++) {
        $vigil->track(['userName' => u('php-overflow'), 'ipAddress' => '8.8.4.4', 'url' => "/o/$i"]);
    }
    same(2, $vigil->stats()['dropped']);
    same(3, $vigil->stats()['queued']);
    same('queue_overflow', $w->list[0][0]);
    $vigil->flush();
    $urls = array_map(fn ($e) => $e['url'], serverEvents(u('php-overflow')));
    sort($urls);
    same(['/o/2', '/o/3', '/o/4'], $urls);
});

test('track never throws', function () {
    $vigil = client(['on_warning' => function () {
        throw new RuntimeException('handler failure');
    }]);
    $vigil->track(['userName' => u('php-x'), 'ipAddress' => '8.8.4.4', 'url' => '/', 'payload' => ['bad' => "\xB1\x31"]]);
    $vigil->track(['userName' => u('php-x'), 'ipAddress' => '8.8.4.4', 'url' => '/', 'payload' => NAN]);
    same(0, $vigil->stats()['queued'], 'unserialisable events are refused at track()');
    $vigil->close();
    $vigil->track(['userName' => u('php-closed'), 'ipAddress' => '8.8.4.4', 'url' => '/']);
    check(true, 'no exception');
});

test('4xx other than 429 are not retried, and are reported', function () {
    $proxy = new FaultProxy([]);
    try {
        $w = new Warnings();
        $vigil = client(['on_warning' => $w], $proxy->url, 'not-a-key');
        $vigil->track(['userName' => u('php-401'), 'ipAddress' => '8.8.4.4', 'url' => '/']);
        $vigil->flush();
        same(1, count($proxy->hits()));
        same(['rejected'], $w->codes());
        check(str_contains($w->list[0][1], '401'), $w->list[0][1]);
        same(0, $vigil->stats()['queued']);
    } finally {
        $proxy->close();
    }
});

test('a rejected event is reported; the others of the batch are stored', function () {
    $w = new Warnings();
    $vigil = client(['on_warning' => $w]);
    $vigil->track(['userName' => u('php-reject'), 'ipAddress' => '8.8.4.4', 'url' => '/ok']);
    $vigil->track(['userName' => u('php-reject'), 'url' => '/no-ip']);
    $vigil->flush();
    same(['rejected'], $w->codes());
    check(str_contains($w->list[0][1], 'ipAddress'), $w->list[0][1]);
    same(1, count(serverEvents(u('php-reject'))));
});

test('decide', function () {
    $vigil = client();
    $r = $vigil->decide(['userName' => u('php-decide'), 'ipAddress' => '8.8.4.4', 'url' => '/login', 'eventType' => 'account_login']);
    same(false, $r['degraded']);
    check(in_array($r['decision'], ['allow', 'review', 'block'], true), $r['decision']);
    check(is_int($r['score']), 'score');
    check(is_array($r['reasons']), 'reasons');
    check(is_int($r['eventId']), 'eventId');
    same('account_login', serverEvents(u('php-decide'))[0]['type']);
});

test('isBlacklisted and getUser', function () {
    $vigil = client();
    $vigil->track(['userName' => u('php-bad'), 'ipAddress' => '8.8.4.4', 'url' => '/', 'emailAddress' => u('php-bad') . '@example.com']);
    $vigil->flush();
    same(false, $vigil->isBlacklisted(u('php-bad')));
    [$status] = api('POST', '/api/v1/users/' . u('php-bad') . '/decision', ['decision' => 'blacklist']);
    same(200, $status);
    same(true, $vigil->isBlacklisted(u('php-bad')));
    same(true, $vigil->isBlacklisted(u('php-bad') . '@example.com'));
    same(false, $vigil->isBlacklisted(u('php-good')));
    $user = $vigil->getUser(u('php-bad'));
    same(u('php-bad'), $user['userName']);
    same('blacklisted', $user['status']);
    same(1, $user['eventCount']);
    same(null, $vigil->getUser('nobody-here'));
    same('/', $vigil->getUserEvents(u('php-bad'))[0]['url']);
    same('block', $vigil->decide(['userName' => u('php-bad'), 'ipAddress' => '8.8.4.4', 'url' => '/login'])['decision']);
});

test('exactly once: a batch whose answer is lost is retried and not stored twice', function () {
    $proxy = new FaultProxy(['forward-then-503']);
    try {
        $vigil = client([], $proxy->url);
        for ($i = 0; $i < 10; $i++) {
            $vigil->track(['userName' => u('php-once'), 'ipAddress' => '8.8.4.4', 'url' => "/x/$i"]);
        }
        $vigil->flush();
        same([503, 200], array_map(fn ($h) => $h['status'], $proxy->hits()));
        same(10, $vigil->stats()['duplicates'], 'the retry was answered duplicate');
        same(10, count(serverEvents(u('php-once'))));
    } finally {
        $proxy->close();
    }
});

test('429 with Retry-After: the SDK waits as long as told', function () {
    $proxy = new FaultProxy(['429:1']);
    try {
        $vigil = client([], $proxy->url);
        $vigil->track(['userName' => u('php-429'), 'ipAddress' => '8.8.4.4', 'url' => '/']);
        $vigil->flush();
        $hits = $proxy->hits();
        same(2, count($hits));
        $waited = $hits[1]['at'] - $hits[0]['at'];
        check($waited >= 0.99 && $waited < 2.0, "waited $waited s");
        same(1, count(serverEvents(u('php-429'))));
    } finally {
        $proxy->close();
    }
});

test('decide against a stalled server: the default within the budget', function () {
    $stalled = stream_socket_server('tcp://127.0.0.1:0');
    $url = 'http://' . stream_socket_get_name($stalled, false);
    try {
        foreach (['open' => 'allow', 'closed' => 'block'] as $mode => $expected) {
            $w = new Warnings();
            $vigil = client(['timeout_ms' => 300, 'batch_timeout_ms' => 100, 'flush_budget_ms' => 200, 'fail_mode' => $mode, 'on_warning' => $w], $url);
            $t = microtime(true);
            $r = $vigil->decide(['userName' => u('php-stall'), 'ipAddress' => '8.8.4.4', 'url' => '/login']);
            $took = microtime(true) - $t;
            same($expected, $r['decision']);
            same(true, $r['degraded']);
            same(null, $r['score']);
            check($took >= 0.29 && $took < 0.55, "took $took s");
            same(['degraded'], $w->codes());
            $t = microtime(true);
            same($mode === 'closed', $vigil->isBlacklisted('x'));
            check(microtime(true) - $t < 0.55, 'isBlacklisted within the budget');
            same(1, $vigil->stats()['queued'], 'the undecided event is kept for delivery');
        }
    } finally {
        fclose($stalled);
    }
});

test('server down: track does not throw; once it is back, every event arrives exactly once', function () {
    $port = freePort();
    $w = new Warnings();
    $vigil = client(['on_warning' => $w, 'retry' => ['attempts' => 2, 'base_ms' => 10, 'max_ms' => 50]], "http://127.0.0.1:$port");
    for ($i = 0; $i < 25; $i++) {
        $vigil->track(['userName' => u('php-down'), 'ipAddress' => '8.8.4.4', 'url' => "/d/$i"]);
    }
    same(false, $vigil->flush());
    same(25, $vigil->stats()['queued']);
    check(in_array('delivery_failed', $w->codes(), true), implode(',', $w->codes()));
    // The server comes back on that port (a proxy to the real server starts listening there).
    $proxy = new FaultProxy([], $port);
    try {
        same(true, $vigil->flush());
        $events = serverEvents(u('php-down'));
        same(25, count($events));
        same(25, count(array_unique(array_map(fn ($e) => $e['url'], $events))));
        same(25, $vigil->stats()['delivered']);
    } finally {
        $proxy->close();
    }
});

test('spool: what a request could not deliver, a later one sends, once', function () {
    $dir = sys_get_temp_dir() . '/vigil-spool-' . bin2hex(random_bytes(4));
    $w = new Warnings();
    $down = client(['spool_dir' => $dir, 'on_warning' => $w, 'retry' => ['attempts' => 1]], 'http://127.0.0.1:' . freePort());
    for ($i = 0; $i < 4; $i++) {
        $down->track(['userName' => u('php-spool'), 'ipAddress' => '8.8.4.4', 'url' => "/s/$i"]);
    }
    $down->close();
    same(['delivery_failed', 'spooled'], $w->codes());
    same(1, count(glob("$dir/vigil-*.jsonl")));
    $up = client(['spool_dir' => $dir]);
    $up->track(['userName' => u('php-spool'), 'ipAddress' => '8.8.4.4', 'url' => '/s/new']);
    same(true, $up->flush());
    same([], glob("$dir/*"));
    same(5, count(serverEvents(u('php-spool'))));
    @rmdir($dir);
});

test('flush at shutdown (register_shutdown_function)', function () {
    [$url, $key] = server();
    $script = sprintf(<<<'PHP'
        require %s;
        $vigil = new Vigil\Vigil($argv[1], $argv[2], [
            'retry' => ['attempts' => 2, 'base_ms' => 10, 'max_ms' => 50],
            'on_warning' => function ($code) { echo "warning $code\n"; },
        ]);
        for ($i = 0; $i < 5; $i++) {
            $vigil->track(['userName' => $argv[3], 'ipAddress' => '8.8.4.4', 'url' => "/exit/$i"]);
        }
        echo "tracked\n";
        PHP, var_export(__DIR__ . '/../src/Vigil.php', true));
    exec(sprintf('%s -r %s %s %s %s 2>&1', PHP_BINARY, escapeshellarg($script), escapeshellarg($url), escapeshellarg($key), u('php-exit')), $out, $code);
    same(0, $code, implode("\n", $out));
    same(['tracked'], $out);
    same(5, count(serverEvents(u('php-exit'))));
    $out = [];
    $t = microtime(true);
    exec(sprintf('%s -r %s %s %s %s 2>&1', PHP_BINARY, escapeshellarg($script), escapeshellarg('http://127.0.0.1:' . freePort()), escapeshellarg($key), u('php-exit-down')), $out, $code);
    same(0, $code);
    same(['tracked', 'warning delivery_failed', 'warning lost'], $out);
    check(microtime(true) - $t < 10, 'ends');
});

test("tirreno's PHP SDK wire format (http_build_query over cURL, a body over 1 KB)", function () {
    [$url, $key] = server();
    // The SDK's URL rule: a trailing '/', then 'sensor/' unless already there.
    $sensor = rtrim($url, '/') . '/';
    $sensor = str_ends_with($sensor, '/sensor/') ? $sensor : $sensor . 'sensor/';
    $post = function (array $event) use ($sensor, $key): int {
        $ch = curl_init($sensor);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => http_build_query($event),
            CURLOPT_HTTPHEADER => ['Api-Key: ' . $key, 'Content-Type: application/x-www-form-urlencoded'],
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT_MS => 1500,
        ]);
        curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return $status;
    };
    $time = (new DateTimeImmutable('now', new DateTimeZone('UTC')))->format('Y-m-d H:i:s.v');
    $defaults = ['userName' => u('tn-php'), 'eventTime' => $time, 'ipAddress' => '203.0.113.7', 'userAgent' => 'Mozilla/5.0 (X11; Linux x86_64)', 'browserLanguage' => 'fr-FR,fr;q=0.9', 'httpMethod' => 'POST', 'httpReferer' => '', 'url' => '/login?next=%2Fhome'];
    same(204, $post($defaults + ['firstName' => 'John', 'eventType' => 'account_login']));
    // Over 1 KB (older cURL versions send Expect: 100-continue for those).
    same(204, $post(['url' => '/search', 'eventType' => 'page_search', 'pageTitle' => str_repeat('t', 200), 'payload' => ['field_id' => '179280', 'value' => str_repeat('search query ', 80), 'field_name' => 'Country']] + $defaults));
    same(204, $post(['url' => '/profile', 'eventType' => 'field_edit', 'fieldHistory' => [['field_id' => '179283', 'new_value' => 'Paris', 'old_value' => 'London']]] + $defaults));
    // The SDK's default event: no eventType, the IP masked as the user name.
    same(204, $post(['userName' => '203.0.113.*', 'url' => '/'] + $defaults));
    $events = serverEvents(u('tn-php'));
    $byType = [];
    foreach ($events as $e) {
        $byType[$e['type']] = $e;
    }
    same('/login', $byType['account_login']['url']);
    same('?next=%2Fhome', $byType['account_login']['query']);
    same('', $byType['account_login']['httpReferer']);
    same('179280', $byType['page_search']['payload']['field_id']);
    same('Paris', $byType['field_edit']['fieldHistory'][0]['newValue']);
    same('page_view', serverEvents('203.0.113.*')[0]['type']);
});

test('parseRetryAfter', function () {
    same(2.0, Vigil::parseRetryAfter('2'));
    same(null, Vigil::parseRetryAfter('soon'));
    same(5.0, Vigil::parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', (float) gmmktime(0, 0, 0, 1, 1, 2026)));
});

test('the examples compile', function () {
    foreach (glob(__DIR__ . '/../examples/*.php') as $file) {
        exec(sprintf('%s -l %s 2>&1', PHP_BINARY, escapeshellarg($file)), $out, $code);
        same(0, $code, implode("\n", $out));
    }
});

// ── runner ──────────────────────────────────────────────────────────────────────────────────
$filter = $argv[1] ?? '';
$passed = 0;
$failed = 0;
foreach ($tests as $name => $fn) {
    if ($filter !== '' && stripos($name, $filter) === false) {
        continue;
    }
    $t = microtime(true);
    try {
        $fn();
        $passed++;
        printf("ok - %s (%d ms)\n", $name, (microtime(true) - $t) * 1000);
    } catch (Throwable $e) {
        $failed++;
        printf("not ok - %s\n    %s: %s\n    at %s:%d\n", $name, get_class($e), $e->getMessage(), $e->getFile(), $e->getLine());
    }
}
if ($serverProcess !== null) {
    fclose($serverProcess[1][0]);
    proc_close($serverProcess[0]);
}
echo "$passed passed, $failed failed\n";
exit($failed > 0 ? 1 : 0);
