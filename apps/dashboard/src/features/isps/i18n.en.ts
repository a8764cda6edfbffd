export default {
  'isps.menu': 'Networks',
  'isps.title': 'Networks (ISPs)',
  'isps.new': 'New networks',
  'isps.map': 'Countries of its IPs',
  'isps.blacklistedIps': 'Blacklisted IPs',
  'isps.has': 'Has IPs that are',
  'isps.has.datacenter': 'Datacenter',
  'isps.has.vpn': 'VPN',
  'isps.has.tor': 'TOR',
  'isps.has.blacklisted': 'Blacklisted',
} as Record<string, string>;
