-- Analytics rollups: per day (in a time zone) and per dimension value, the
-- counts and exact sums that the analytics figures are made of, and a
-- log-bucket sketch of the times to acknowledge and resolve for their
-- percentiles. A trigger on complaints keeps them in the same transaction
-- as every change, so they cannot drift; `redress analytics rebuild`
-- recomputes them from the raw rows.

-- Facts a complaint's figures need that its row did not hold: the tier its
-- customer had when it was filed (a later change of tier does not move old
-- complaints), and when the same customer, and the same order reference,
-- last complained before it (for repeat complaints).
ALTER TABLE complaints
    ADD COLUMN customer_tier text,
    ADD COLUMN previous_customer_at timestamptz,
    ADD COLUMN previous_order_at timestamptz;

CREATE INDEX complaints_by_order_ref ON complaints (order_ref, created_at, id) WHERE order_ref <> '';

ALTER TABLE complaints DISABLE TRIGGER complaints_notify;
UPDATE complaints c SET customer_tier = cu.tier,
        previous_customer_at = p.previous_customer_at, previous_order_at = p.previous_order_at
    FROM customers cu, (SELECT id,
            lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, id) AS previous_customer_at,
            CASE WHEN order_ref <> '' THEN lag(created_at) OVER (PARTITION BY order_ref ORDER BY created_at, id) END AS previous_order_at
        FROM complaints) p
    WHERE cu.id = c.customer_id AND p.id = c.id;
ALTER TABLE complaints ENABLE TRIGGER complaints_notify;
ALTER TABLE complaints ALTER COLUMN customer_tier SET NOT NULL;

-- Every insert, by the service or by hand, gets those facts.
CREATE FUNCTION complaints_fill_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.customer_tier IS NULL THEN
        SELECT tier INTO NEW.customer_tier FROM customers WHERE id = NEW.customer_id;
    END IF;
    SELECT max(created_at) INTO NEW.previous_customer_at FROM complaints
        WHERE customer_id = NEW.customer_id AND (created_at, id) < (NEW.created_at, NEW.id);
    IF NEW.order_ref <> '' THEN
        SELECT max(created_at) INTO NEW.previous_order_at FROM complaints
            WHERE order_ref = NEW.order_ref AND order_ref <> '' AND (created_at, id) < (NEW.created_at, NEW.id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER complaints_fill_facts BEFORE INSERT ON complaints
    FOR EACH ROW EXECUTE FUNCTION complaints_fill_facts();

-- A row filed before others of its customer or order (written by hand, or
-- backdated) is the one before the next of them now.
CREATE FUNCTION complaints_fix_successors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE complaints SET previous_customer_at = NEW.created_at
        WHERE id = (SELECT id FROM complaints WHERE customer_id = NEW.customer_id
                AND (created_at, id) > (NEW.created_at, NEW.id) ORDER BY created_at, id LIMIT 1)
            AND previous_customer_at IS DISTINCT FROM NEW.created_at;
    IF NEW.order_ref <> '' THEN
        UPDATE complaints SET previous_order_at = NEW.created_at
            WHERE id = (SELECT id FROM complaints WHERE order_ref = NEW.order_ref AND order_ref <> ''
                    AND (created_at, id) > (NEW.created_at, NEW.id) ORDER BY created_at, id LIMIT 1)
                AND previous_order_at IS DISTINCT FROM NEW.created_at;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER complaints_fix_successors AFTER INSERT ON complaints
    FOR EACH ROW EXECUTE FUNCTION complaints_fix_successors();

-- A basis is what the rollups depend on besides the raw rows: the zone whose
-- days they count and the window within which a second complaint is a
-- repeat. Rollups are read only for a ready basis equal to the policy's;
-- while one is being built the figures come from the raw rows.
CREATE TABLE analytics_bases (
    id            serial PRIMARY KEY,
    zone          text NOT NULL,
    repeat_within interval NOT NULL,
    ready         boolean NOT NULL DEFAULT false,
    built_at      timestamptz,
    UNIQUE (zone, repeat_within)
);

CREATE TABLE analytics_daily (
    basis             int NOT NULL REFERENCES analytics_bases (id) ON DELETE CASCADE,
    day               date NOT NULL,
    dimension         text NOT NULL,
    value             text NOT NULL,
    complaints        int NOT NULL,
    ack_measured      int NOT NULL,
    ack_met           int NOT NULL,
    resolve_measured  int NOT NULL,
    resolve_met       int NOT NULL,
    acknowledged      int NOT NULL,
    ack_micros        bigint NOT NULL,
    resolved          int NOT NULL,
    resolve_micros    bigint NOT NULL,
    surveys_sent      int NOT NULL,
    surveys_answered  int NOT NULL,
    csat_score_sum    int NOT NULL,
    reopened          int NOT NULL,
    winbacks_finished int NOT NULL,
    won_back          int NOT NULL,
    repeat_customer   int NOT NULL,
    repeat_order      int NOT NULL,
    -- Element i+1 counts the durations in bucket i (see analytics_bucket).
    ack_sketch        int[] NOT NULL DEFAULT '{}',
    resolve_sketch    int[] NOT NULL DEFAULT '{}',
    -- By dimension first: a summary reads a few dimensions over many days.
    PRIMARY KEY (basis, dimension, day, value)
);

-- The sketch's bucket of a duration: 0 below one second, else
-- 1 + floor(log_g(seconds)) with g = 1.01/0.99, so that every duration in a
-- bucket is within 1% of the bucket's representative 2g^i/(g+1). Buckets stop
-- at 2000 (g^2000 seconds is beyond any real duration).
CREATE FUNCTION analytics_bucket(micros bigint) RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN micros IS NULL THEN NULL WHEN micros < 1000000 THEN 0
        ELSE least(2000, 1 + floor(ln(micros / 1e6::float8) / ln(1.01 / 0.99::float8))::int) END
$$;

-- counts with n more durations in bucket.
CREATE FUNCTION analytics_sketch_add(counts int[], bucket int, n int) RETURNS int[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF bucket IS NULL OR n = 0 THEN
        RETURN counts;
    END IF;
    IF cardinality(counts) <= bucket THEN
        counts := counts || array_fill(0, ARRAY[bucket + 1 - cardinality(counts)]);
    END IF;
    counts[bucket + 1] := counts[bucket + 1] + n;
    RETURN counts;
END $$;

-- What one complaint adds to the rollups of a basis: a cell per dimension
-- ('' is the whole), each with the complaint's measures. The rebuild, the
-- trigger and the raw edges of a window all count through this one
-- definition.
CREATE FUNCTION analytics_cells(c complaints, zone text, repeat_within interval)
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
$$;

-- The trigger takes away what the old row added and adds what the new one
-- does, for every basis. Cells whose measures did not change are left
-- alone, so a status change touches two status rows, not the day's whole;
-- the sketches, whose rewriting costs most, change only where a duration
-- moves between buckets or cells, one row at a time by key. The counts are
-- written in key order, so two complaints' changes cannot deadlock on
-- them; the sketches then only touch rows this transaction holds already. The plans are generic: the
-- statements are the same for every row, and planning them anew each time
-- would cost more than running them.
CREATE FUNCTION analytics_track() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    m record;
BEGIN
    IF NOT EXISTS (SELECT FROM analytics_bases) THEN
        RETURN NULL;
    END IF;
    INSERT INTO analytics_daily AS d (basis, day, dimension, value, complaints, ack_measured, ack_met,
        resolve_measured, resolve_met, acknowledged, ack_micros, resolved, resolve_micros, surveys_sent,
        surveys_answered, csat_score_sum, reopened, winbacks_finished, won_back, repeat_customer, repeat_order)
    SELECT b.id, x.day, x.dimension, x.value,
        sum(x.sign * x.complaints), sum(x.sign * x.ack_measured), sum(x.sign * x.ack_met),
        sum(x.sign * x.resolve_measured), sum(x.sign * x.resolve_met),
        sum(x.sign * x.acknowledged), coalesce(sum(x.sign * x.ack_micros), 0),
        sum(x.sign * x.resolved), coalesce(sum(x.sign * x.resolve_micros), 0),
        sum(x.sign * x.surveys_sent), sum(x.sign * x.surveys_answered), sum(x.sign * x.csat_score_sum),
        sum(x.sign * x.reopened), sum(x.sign * x.winbacks_finished), sum(x.sign * x.won_back),
        sum(x.sign * x.repeat_customer), sum(x.sign * x.repeat_order)
    FROM analytics_bases b CROSS JOIN LATERAL (
        SELECT -1 AS sign, o.* FROM analytics_cells(OLD, b.zone, b.repeat_within) o WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT 1, n.* FROM analytics_cells(NEW, b.zone, b.repeat_within) n WHERE TG_OP <> 'DELETE') x
    GROUP BY b.id, x.dimension, x.day, x.value
    HAVING count(*) = 1
        OR sum(x.sign * x.ack_measured) <> 0 OR sum(x.sign * x.ack_met) <> 0
        OR sum(x.sign * x.resolve_measured) <> 0 OR sum(x.sign * x.resolve_met) <> 0
        OR sum(x.sign * x.acknowledged) <> 0 OR sum(x.sign * x.ack_micros) <> 0
        OR sum(x.sign * x.resolved) <> 0 OR sum(x.sign * x.resolve_micros) <> 0
        OR sum(x.sign * x.surveys_sent) <> 0 OR sum(x.sign * x.surveys_answered) <> 0
        OR sum(x.sign * x.csat_score_sum) <> 0 OR sum(x.sign * x.reopened) <> 0
        OR sum(x.sign * x.winbacks_finished) <> 0 OR sum(x.sign * x.won_back) <> 0
        OR sum(x.sign * x.repeat_customer) <> 0 OR sum(x.sign * x.repeat_order) <> 0
    ORDER BY b.id, x.dimension, x.day, x.value
    ON CONFLICT (basis, dimension, day, value) DO UPDATE SET
        complaints = d.complaints + excluded.complaints,
        ack_measured = d.ack_measured + excluded.ack_measured,
        ack_met = d.ack_met + excluded.ack_met,
        resolve_measured = d.resolve_measured + excluded.resolve_measured,
        resolve_met = d.resolve_met + excluded.resolve_met,
        acknowledged = d.acknowledged + excluded.acknowledged,
        ack_micros = d.ack_micros + excluded.ack_micros,
        resolved = d.resolved + excluded.resolved,
        resolve_micros = d.resolve_micros + excluded.resolve_micros,
        surveys_sent = d.surveys_sent + excluded.surveys_sent,
        surveys_answered = d.surveys_answered + excluded.surveys_answered,
        csat_score_sum = d.csat_score_sum + excluded.csat_score_sum,
        reopened = d.reopened + excluded.reopened,
        winbacks_finished = d.winbacks_finished + excluded.winbacks_finished,
        won_back = d.won_back + excluded.won_back,
        repeat_customer = d.repeat_customer + excluded.repeat_customer,
        repeat_order = d.repeat_order + excluded.repeat_order;

    FOR m IN SELECT b.id AS basis, x.day, x.dimension, x.value,
            min(x.ack_bucket) FILTER (WHERE x.sign < 0) AS old_ack, min(x.ack_bucket) FILTER (WHERE x.sign > 0) AS new_ack,
            min(x.resolve_bucket) FILTER (WHERE x.sign < 0) AS old_resolve,
            min(x.resolve_bucket) FILTER (WHERE x.sign > 0) AS new_resolve
        FROM analytics_bases b CROSS JOIN LATERAL (
            SELECT -1 AS sign, o.* FROM analytics_cells(OLD, b.zone, b.repeat_within) o WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT 1, n.* FROM analytics_cells(NEW, b.zone, b.repeat_within) n WHERE TG_OP <> 'DELETE') x
        GROUP BY b.id, x.day, x.dimension, x.value
        HAVING min(x.ack_bucket) FILTER (WHERE x.sign < 0) IS DISTINCT FROM min(x.ack_bucket) FILTER (WHERE x.sign > 0)
            OR min(x.resolve_bucket) FILTER (WHERE x.sign < 0) IS DISTINCT FROM min(x.resolve_bucket) FILTER (WHERE x.sign > 0)
    LOOP
        UPDATE analytics_daily SET
            ack_sketch = CASE WHEN m.old_ack IS NOT DISTINCT FROM m.new_ack THEN ack_sketch
                ELSE analytics_sketch_add(analytics_sketch_add(ack_sketch, m.old_ack, -1), m.new_ack, 1) END,
            resolve_sketch = CASE WHEN m.old_resolve IS NOT DISTINCT FROM m.new_resolve THEN resolve_sketch
                ELSE analytics_sketch_add(analytics_sketch_add(resolve_sketch, m.old_resolve, -1), m.new_resolve, 1) END
        WHERE basis = m.basis AND day = m.day AND dimension = m.dimension AND value = m.value;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER analytics_track_insert AFTER INSERT OR DELETE ON complaints
    FOR EACH ROW EXECUTE FUNCTION analytics_track();

CREATE TRIGGER analytics_track_update AFTER UPDATE ON complaints
    FOR EACH ROW WHEN ((OLD.created_at, OLD.status, OLD.category, OLD.priority, OLD.channel, OLD.customer_tier,
            OLD.resolution->>'root_cause', OLD.assignee, OLD.acknowledged_at, OLD.first_resolved_at,
            OLD.ack_breached, OLD.resolve_breached, OLD.survey->>'status', OLD.survey->>'score', OLD.reopened,
            OLD.winback->>'status', OLD.winback->>'outcome', OLD.previous_customer_at, OLD.previous_order_at)
        IS DISTINCT FROM (NEW.created_at, NEW.status, NEW.category, NEW.priority, NEW.channel, NEW.customer_tier,
            NEW.resolution->>'root_cause', NEW.assignee, NEW.acknowledged_at, NEW.first_resolved_at,
            NEW.ack_breached, NEW.resolve_breached, NEW.survey->>'status', NEW.survey->>'score', NEW.reopened,
            NEW.winback->>'status', NEW.winback->>'outcome', NEW.previous_customer_at, NEW.previous_order_at))
    EXECUTE FUNCTION analytics_track();
