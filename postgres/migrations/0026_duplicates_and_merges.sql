-- One customer, one story (SPEC section 11).
--
-- A complaint filed while its customer has an open one that looks the same
-- is flagged with it (possible_duplicate_of); staff decide. A merge ends the
-- duplicate in status merged, naming the complaint it goes on in
-- (merged_into, written by its workflow's last step). complaint_merges
-- records each merge before its workflow steps run, under row locks taken
-- in id order, so that two merges crossing each other cannot both end
-- their complaints, and a merge cut off midway is finished by its retry.
ALTER TABLE complaints
    ADD COLUMN possible_duplicate_of uuid REFERENCES complaints (id),
    ADD COLUMN merged_into uuid REFERENCES complaints (id);

CREATE INDEX complaints_merged_into ON complaints (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX complaints_open_by_customer ON complaints (customer_id, created_at)
    WHERE status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened');

CREATE TABLE complaint_merges (
    duplicate_id uuid PRIMARY KEY REFERENCES complaints (id),
    into_id      uuid NOT NULL REFERENCES complaints (id),
    made_by      text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    CHECK (duplicate_id <> into_id)
);
CREATE INDEX complaint_merges_into ON complaint_merges (into_id);

-- A merged complaint counts once in the analytics: as the complaint it
-- went on in. What one complaint adds to the rollups is therefore nothing
-- once it is merged; the trigger takes its cells away as it merges.
CREATE OR REPLACE FUNCTION analytics_cells(c complaints, zone text, repeat_within interval)
RETURNS TABLE (day date, dimension text, value text, complaints int, ack_measured int, ack_met int,
    resolve_measured int, resolve_met int, acknowledged int, ack_micros bigint, ack_bucket int,
    resolved int, resolve_micros bigint, resolve_bucket int, surveys_sent int, surveys_answered int,
    csat_score_sum int, reopened int, winbacks_finished int, won_back int,
    repeat_customer int, repeat_order int)
LANGUAGE sql STABLE AS $$
    SELECT (c.created_at AT TIME ZONE zone)::date, d.dimension, d.value, 1,
        (c.acknowledged_at IS NOT NULL OR c.ack_breached)::int,
        (c.acknowledged_at IS NOT NULL AND NOT c.ack_breached)::int,
        (c.first_resolved_at IS NOT NULL OR c.resolve_breached)::int,
        (c.first_resolved_at IS NOT NULL AND NOT c.resolve_breached)::int,
        (c.acknowledged_at IS NOT NULL)::int, m.ack, analytics_bucket(m.ack),
        (c.first_resolved_at IS NOT NULL)::int, m.res, analytics_bucket(m.res),
        coalesce(c.survey->>'status' IN ('sent', 'reminded', 'answered', 'expired'), false)::int,
        coalesce(c.survey->>'status' = 'answered', false)::int,
        CASE WHEN c.survey->>'status' = 'answered' THEN coalesce((c.survey->>'score')::int, 0) ELSE 0 END,
        c.reopened::int,
        coalesce(c.winback->>'status' = 'finished', false)::int,
        coalesce(c.winback->>'outcome' = 'won_back', false)::int,
        coalesce(c.previous_customer_at >= c.created_at - repeat_within, false)::int,
        coalesce(c.previous_order_at >= c.created_at - repeat_within, false)::int
    FROM (SELECT (extract(epoch FROM c.acknowledged_at - c.created_at) * 1000000)::bigint AS ack,
            (extract(epoch FROM c.first_resolved_at - c.created_at) * 1000000)::bigint AS res) m,
        (VALUES ('', ''), ('status', c.status), ('category', c.category), ('priority', c.priority),
            ('channel', c.channel), ('tier', c.customer_tier),
            ('root_cause', coalesce(c.resolution->>'root_cause', '')), ('assignee', c.assignee),
            ('csat_score', CASE WHEN c.survey->>'status' = 'answered' THEN coalesce(c.survey->>'score', '') ELSE '' END)
        ) d (dimension, value)
    WHERE c.status <> 'merged'
$$;
