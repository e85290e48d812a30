-- Escalation reasons are internal. Lines written before they had a line of
-- their own carried the reason in the public escalation line
-- ("Escalated to level 2 (managers notified): <reason>"): make those
-- internal, so no customer view shows them; staff still read them whole.
UPDATE timeline SET public = false
WHERE kind = 'escalated' AND public AND detail ~ '^Escalated to level [0-9]+ \(';
