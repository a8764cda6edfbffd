// Watchlist strings.
export default {
  'watchlist.title': 'Watchlist',
  'watchlist.intro':
    'Users an analyst starred to follow closely, and everything they did in the period, newest first. Star a user from their page.',
  'watchlist.users': 'Watched users',
  'watchlist.none': 'Nobody is watched. Open a user and choose “Watch” to follow them here.',
  'watchlist.unwatch': 'Stop watching {user}',
  'watchlist.only': 'Show only {user}',
  'watchlist.all': 'All watched users',
  'watchlist.activity': 'Recent activity',
  'watchlist.time': 'Time',
  'watchlist.user': 'User',
  'watchlist.type': 'Event',
  'watchlist.ip': 'IP',
  'watchlist.country': 'Country',
  'watchlist.url': 'Resource',
  'watchlist.code': 'HTTP',
  'watchlist.details': 'Details',
  'watchlist.open': 'Open',
  'watchlist.lastSeen': 'last seen {ago}',
} as Record<string, string>;
