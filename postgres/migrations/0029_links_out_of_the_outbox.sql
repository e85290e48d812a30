-- The customers' links are credentials: the outbox no longer keeps them
-- (the dispatcher derives each at delivery from what the event names).
-- Those stored before go: a survey's event keeps its round instead, which
-- the complaint's bookkeeping holds; a portal sign-in sent before lost its
-- link, and the customer asks for another.
UPDATE outbox o SET data = (o.data - 'survey_url')
        || jsonb_build_object('survey_round', coalesce((c.bookkeeping->>'survey_round')::int, 1))
    FROM complaints c
    WHERE c.id = o.complaint_id AND o.data ? 'survey_url';
UPDATE outbox SET data = data - 'tracking_url' - 'survey_url' - 'sign_in_url'
    WHERE data ?| ARRAY['tracking_url', 'survey_url', 'sign_in_url'];
