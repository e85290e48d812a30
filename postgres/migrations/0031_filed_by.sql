-- Who filed each complaint: the API key's name, or the channel (email,
-- form). An intake key, which an outside integrator holds, reads only the
-- complaints it filed. Complaints filed before come from their first
-- timeline line's credential (key:<name>, or the channel's own).
ALTER TABLE complaints ADD COLUMN filed_by text NOT NULL DEFAULT '';

UPDATE complaints c SET filed_by = CASE
        WHEN t.made_by LIKE 'key:%' THEN substr(t.made_by, 5)
        WHEN t.made_by = 'customer mail' THEN 'email'
        WHEN t.made_by = 'customer form' THEN 'form'
        ELSE t.made_by END
    FROM timeline t WHERE t.complaint_id = c.id AND t.seq = 1;

CREATE INDEX complaints_filed_by ON complaints (filed_by, created_at DESC, id DESC);
