// Review queue strings.
export default {
  'review.title': 'Review queue',
  'review.intro':
    'Users whose trust score fell to the review threshold or below, waiting for a decision. The period does not apply: every pending user is listed.',
  'review.select': 'Select',
  'review.selectUser': 'Select {user}',
  'review.user': 'User',
  'review.score': 'Score',
  'review.rules': 'Matched rules',
  'review.waiting': 'In queue for',
  'review.lastSeen': 'Last seen',
  'review.country': 'Country',
  'review.events': 'Events',
  'review.selected': '{count} selected',
  'review.note': 'Reviewer note',
  'review.notePlaceholder': 'Why (kept with each decision)',
  'review.approve': 'Approve selected',
  'review.blacklist': 'Blacklist selected',
  'review.clear': 'Clear selection',
  'review.done':
    '{decided} decided ({decision}), {skipped} already decided by someone else, {notFound} not found.',
  'review.decision.approve': 'approved',
  'review.decision.blacklist': 'blacklisted',
  'review.confirmBlacklist': 'Blacklist {count} users with their IPs, e-mails and phones?',
  'review.ruleFilter': 'Rule',
  'review.ruleFilterPlaceholder': 'Rule code, e.g. E01',
} as Record<string, string>;
