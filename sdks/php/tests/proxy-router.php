<?php
// Router for `php -S`: a fault-injecting proxy to the real Vigil server (tests only).
// VIGIL_UPSTREAM: the server's URL; VIGIL_PROXY_STATE: a JSON file {"plan": [actions…], "hits": []}.
// Actions: "forward", "forward-then-503" (the server stores, the client sees 503), "STATUS:RETRY_AFTER".
declare(strict_types=1);

$stateFile = getenv('VIGIL_PROXY_STATE');
$fh = fopen($stateFile, 'c+');
flock($fh, LOCK_EX);
$state = json_decode(stream_get_contents($fh) ?: '{}', true) ?: [];
$hits = $state['hits'] ?? [];
$action = $state['plan'][count($hits)] ?? 'forward';
$hit = ['at' => microtime(true), 'method' => $_SERVER['REQUEST_METHOD'], 'path' => $_SERVER['REQUEST_URI'], 'status' => 0];
$body = file_get_contents('php://input');
$hit['events'] = is_array($decoded = json_decode((string) $body, true)) && isset($decoded[0]) ? count($decoded) : null;

$status = 0;
$answer = '';
$retryAfter = null;
if (preg_match('/^(\d{3}):(\d+)$/', $action, $m)) {
    $status = (int) $m[1];
    $retryAfter = $m[2];
    $answer = '{"error":{"code":"injected","message":"injected fault"}}';
} else {
    $ch = curl_init(getenv('VIGIL_UPSTREAM') . $_SERVER['REQUEST_URI']);
    $headers = ['Expect:'];
    foreach (['HTTP_API_KEY' => 'Api-Key', 'CONTENT_TYPE' => 'Content-Type'] as $key => $name) {
        if (isset($_SERVER[$key])) {
            $headers[] = "$name: {$_SERVER[$key]}";
        }
    }
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $_SERVER['REQUEST_METHOD'],
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 30,
    ]);
    if ($body !== '') {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    }
    $answer = (string) curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    if ($action === 'forward-then-503') {
        $status = 503;
        $answer = '{"error":{"code":"unavailable","message":"answer lost"}}';
    }
}
$hit['status'] = $status;
$hits[] = $hit;
$state['hits'] = $hits;
ftruncate($fh, 0);
rewind($fh);
fwrite($fh, json_encode($state));
flock($fh, LOCK_UN);
fclose($fh);

http_response_code($status);
header('Content-Type: application/json');
if ($retryAfter !== null) {
    header("Retry-After: $retryAfter");
}
echo $answer;
