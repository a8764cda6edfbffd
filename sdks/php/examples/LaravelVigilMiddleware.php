<?php
// Vigil in Laravel: a middleware that records every request (with its status code) and a service
// binding so controllers can mark logins, failed logins, registrations and changes.
//
// app/Providers/AppServiceProvider.php, register():
//     $this->app->scoped(\Vigil\Vigil::class, fn () => new \Vigil\Vigil(
//         config('services.vigil.url'), config('services.vigil.key'),
//         ['timeout_ms' => 1500, 'fail_mode' => 'open', 'trust_proxy' => config('services.vigil.trust_proxy')]
//     ));
// bootstrap/app.php (Laravel 11+):  ->withMiddleware(fn ($m) => $m->append(\App\Http\Middleware\VigilMiddleware::class))
// (Laravel 10: add it to $middleware in app/Http/Kernel.php.)
//
// In a controller:
//     public function login(Request $request, \Vigil\Vigil $vigil) {
//         if (!Auth::attempt($request->only('email', 'password'))) {
//             $vigil->loginFailed($request->input('email'));
//             return back()->withErrors(['email' => 'Wrong credentials'])->setStatusCode(401);
//         }
//         $verdict = $vigil->decide(['userName' => (string) Auth::id(), 'eventType' => 'account_login']);
//         if ($verdict['decision'] === 'block') { Auth::logout(); abort(403); }
//         return redirect()->intended('/');
//     }
//     // registration:   $vigil->registered((string) $user->id, ['emailAddress' => $user->email]);
//     // profile change: $vigil->fieldEdited((string) $user->id, 'city', $old, $new, 'City');

namespace App\Http\Middleware;

use Closure;
use Illuminate\Http\Request;
use Symfony\Component\HttpFoundation\Response;
use Vigil\Vigil;

final class VigilMiddleware
{
    public function __construct(private Vigil $vigil)
    {
    }

    public function handle(Request $request, Closure $next): Response
    {
        // The request as Laravel sees it (also right under Octane, where $_SERVER is not per request).
        $this->vigil->setRequest($request->server->all());
        return $next($request);
    }

    /** After the response was sent: a page view for requests no controller marked, then the flush. */
    public function terminate(Request $request, Response $response): void
    {
        if ($this->vigil->stats()['queued'] === 0 && !$request->is('up', 'build/*')) {
            $this->vigil->track([
                'userName' => $request->user()?->getAuthIdentifier() !== null ? (string) $request->user()->getAuthIdentifier() : null,
                'httpCode' => $response->getStatusCode(),
            ]);
        }
        $this->vigil->flush();
    }
}
