// Integration snippets of the Project page: plain text shown in <pre>, never markup. The server's
// URL is the one the operator is using; the key stays a placeholder (secrets are shown once).

export const KEY_PLACEHOLDER = 'YOUR_API_KEY';

export type SnippetName = 'curl' | 'typescript' | 'python' | 'php' | 'tirreno';

export function snippet(name: SnippetName, url: string): string {
  switch (name) {
    case 'curl':
      return `curl -X POST ${url}/api/v1/events \\
  -H 'Api-Key: ${KEY_PLACEHOLDER}' \\
  -H 'Content-Type: application/json' \\
  -d '{"userName": "alice", "ipAddress": "203.0.113.7", "url": "/login", "eventType": "account_login"}'

# tirreno's sensor protocol works too:
curl -X POST ${url}/sensor/ -H 'Api-Key: ${KEY_PLACEHOLDER}' \\
  -d userName=alice -d ipAddress=203.0.113.7 -d url=/login -d eventType=account_login`;
    case 'typescript':
      return `// npm install @vigil/sdk
import { Vigil } from '@vigil/sdk';

const vigil = new Vigil({ url: '${url}', apiKey: process.env.VIGIL_API_KEY! });

vigil.track({
  userName: 'alice',
  ipAddress: req.ip,
  url: req.originalUrl,
  eventType: 'account_login',
  userAgent: req.headers['user-agent'],
});

const { decision } = await vigil.decide({ userName: 'alice', ipAddress: req.ip, url: '/checkout' });`;
    case 'python':
      return `# pip install ./sdks/python   (from the Vigil repository)
import os
from vigil_sdk import Vigil

vigil = Vigil("${url}", os.environ["VIGIL_API_KEY"])

vigil.track(user_name="alice", ip_address="203.0.113.7", url="/login", event_type="account_login",
            user_agent=request.headers.get("User-Agent"))`;
    case 'php':
      return `<?php
// composer require vigil/vigil-sdk
$vigil = new \\Vigil\\Vigil('${url}', getenv('VIGIL_API_KEY'));

$vigil->track(['userName' => 'alice', 'eventType' => 'account_login']);`;
    case 'tirreno':
      return `// tirreno's own SDKs work unchanged: give them Vigil's base URL and the project's key.

// Node.js (@tirreno/tirreno-tracker)
const tracker = new Tracker('${url}', '${KEY_PLACEHOLDER}');

# Python (tirreno_tracker)
tracker = Tracker("${url}", "${KEY_PLACEHOLDER}")

// PHP (tirreno/tirreno-tracker)
$tracker = new TirrenoTracker('${url}', '${KEY_PLACEHOLDER}');`;
  }
}
