export default {
  'countries.menu': 'Countries',
  'countries.title': 'Countries',
  'countries.new': 'New countries',
  'countries.code': 'Code',
  'countries.isps': 'Networks',
  'countries.map.metric': 'Shade the map by',
  'countries.map.events': 'Events',
  'countries.map.risky': 'Risky users',
} as Record<string, string>;
