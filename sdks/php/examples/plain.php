<?php
// Vigil in a plain PHP application (PHP-FPM or mod_php): one client per request; every event is
// sent at shutdown, after the response (fastcgi_finish_request) when PHP-FPM is used.
//
//   composer require vigil/vigil-sdk     (or: require 'path/to/sdks/php/src/Vigil.php';)
declare(strict_types=1);

require __DIR__ . '/../vendor/autoload.php';

use Vigil\Vigil;

$vigil = new Vigil(getenv('VIGIL_URL') ?: 'http://localhost:8585', getenv('VIGIL_API_KEY') ?: '', [
    'timeout_ms' => 1500,          // budget of decide()
    'fail_mode' => 'open',         // decide() answers 'allow' when Vigil cannot answer in time
    'trust_proxy' => 'loopback',   // X-Forwarded-For from a reverse proxy on this host; null without one
    'spool_dir' => sys_get_temp_dir() . '/vigil-spool', // undelivered events wait here for the next request
]);

function check_password(string $user, string $password): bool
{
    return $password === 'correct horse'; // your own check
}

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
session_start();

switch ($path) {
    case '/login':
        $user = (string) ($_POST['user'] ?? '');
        if (!check_password($user, (string) ($_POST['password'] ?? ''))) {
            http_response_code(401);
            $vigil->loginFailed($user);
            echo 'Wrong password';
            break;
        }
        // Decide before opening the session: within 1.5 s, never throws.
        $verdict = $vigil->decide(['userName' => $user, 'eventType' => 'account_login']);
        if ($verdict['decision'] === 'block') {
            http_response_code(403);
            echo 'Access denied';
            break;
        }
        $_SESSION['user'] = $user;
        echo $verdict['decision'] === 'review' ? 'Welcome (under review)' : 'Welcome';
        break;

    case '/register':
        $user = (string) ($_POST['user'] ?? '');
        $vigil->registered($user, ['emailAddress' => (string) ($_POST['email'] ?? ''), 'fullName' => (string) ($_POST['name'] ?? '')]);
        $_SESSION['user'] = $user;
        http_response_code(201);
        break;

    case '/profile':
        $old = ['city' => 'London']; // from your database
        $new = ['city' => (string) ($_POST['city'] ?? '')];
        if ($new['city'] !== $old['city']) {
            $vigil->fieldEdited($_SESSION['user'], 'city', $old['city'], $new['city'], 'City');
        }
        break;

    case '/password':
        $vigil->passwordChanged($_SESSION['user']);
        break;

    case '/email':
        $vigil->emailChanged($_SESSION['user'], 'old@example.com', (string) ($_POST['email'] ?? ''));
        break;

    default:
        // Any other page: a page view of the signed-in user (or anonymous).
        $vigil->track(['userName' => $_SESSION['user'] ?? null]);
}
