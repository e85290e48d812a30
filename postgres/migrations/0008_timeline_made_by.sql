-- The credential that made each change (an API key, a console user, a
-- customer's link, the system), beside the actor a staff call names. Lines
-- written before it was recorded say so.
ALTER TABLE timeline ADD COLUMN made_by text NOT NULL DEFAULT 'unrecorded';
ALTER TABLE timeline ALTER COLUMN made_by DROP DEFAULT;
