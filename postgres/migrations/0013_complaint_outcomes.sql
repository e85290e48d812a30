-- How each complaint went, as data that analytics read straight from the
-- complaint: which deadlines it breached, when it was first resolved and
-- whether it was reopened. The projection keeps them with every step; a
-- breach's line names its deadline in a column of its own.

ALTER TABLE timeline ADD COLUMN breach text NOT NULL DEFAULT '';
ALTER TABLE complaints
    ADD COLUMN ack_breached boolean NOT NULL DEFAULT false,
    ADD COLUMN resolve_breached boolean NOT NULL DEFAULT false,
    ADD COLUMN first_resolved_at timestamptz,
    ADD COLUMN reopened boolean NOT NULL DEFAULT false;

-- The lines written before said which deadline only in the detail's words,
-- which end with the reason. Filling in the past is no change a page must
-- hear of, so the notifications stay off meanwhile.
ALTER TABLE complaints DISABLE TRIGGER complaints_notify;

UPDATE timeline SET breach = CASE
        WHEN detail LIKE '%acknowledgement overdue' THEN 'acknowledgement overdue'
        WHEN detail LIKE '%resolution overdue' THEN 'resolution overdue' ELSE '' END
    WHERE kind = 'sla_breached';

UPDATE complaints c SET ack_breached = o.ack_breached, resolve_breached = o.resolve_breached,
        first_resolved_at = o.first_resolved_at, reopened = o.reopened
    FROM (SELECT complaint_id,
            bool_or(breach = 'acknowledgement overdue') AS ack_breached,
            bool_or(breach = 'resolution overdue') AS resolve_breached,
            min(at) FILTER (WHERE kind = 'resolved') AS first_resolved_at,
            bool_or(kind = 'reopened') AS reopened
        FROM timeline WHERE kind IN ('sla_breached', 'resolved', 'reopened') GROUP BY complaint_id) o
    WHERE o.complaint_id = c.id;

ALTER TABLE complaints ENABLE TRIGGER complaints_notify;
