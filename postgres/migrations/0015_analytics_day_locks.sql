-- Writers of one day's rollups no longer deadlock.
--
-- A transaction can move a day's rollup rows more than once: an intake
-- whose complaint comes before another of its customer's (or of its order's)
-- also rewrites that successor's repeat facts. Each trigger run took its
-- rows in key order, but two runs in one transaction take two sorted sets,
-- and transactions taking them in different orders deadlocked. Each run now
-- first takes a transaction lock per (basis, day) it touches, in order, so
-- a day's writers queue on that lock instead (they already queued on the
-- day's whole-of-day row, which nearly every change moves).
--
-- Every writer takes the complaints' row locks before the day locks. An
-- UPDATE locks its rows and only then fires its row triggers; the
-- successors (the customer's next complaint and the order's next) are now
-- rewritten by one UPDATE, and before the new complaint's cells are counted,
-- since the successor trigger now fires first (a table's triggers for one
-- event fire in the order of their names). What is left: two successors on
-- different days take those days' locks in row order, so two such intakes
-- crossing each other can still deadlock; PostgreSQL then cancels one, which
-- the API answers 503 and the activity retries.

ALTER TRIGGER complaints_fix_successors ON complaints RENAME TO analytics_facts_fix_successors;

CREATE OR REPLACE FUNCTION complaints_fix_successors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH next AS (
        SELECT (SELECT id FROM complaints WHERE customer_id = NEW.customer_id
                    AND (created_at, id) > (NEW.created_at, NEW.id) ORDER BY created_at, id LIMIT 1) AS by_customer,
            (SELECT id FROM complaints WHERE NEW.order_ref <> '' AND order_ref = NEW.order_ref AND order_ref <> ''
                    AND (created_at, id) > (NEW.created_at, NEW.id) ORDER BY created_at, id LIMIT 1) AS by_order)
    UPDATE complaints c SET
        previous_customer_at = CASE WHEN c.id = next.by_customer THEN NEW.created_at ELSE c.previous_customer_at END,
        previous_order_at = CASE WHEN c.id = next.by_order THEN NEW.created_at ELSE c.previous_order_at END
    FROM next
    WHERE (c.id = next.by_customer AND c.previous_customer_at IS DISTINCT FROM NEW.created_at)
        OR (c.id = next.by_order AND c.previous_order_at IS DISTINCT FROM NEW.created_at);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION analytics_track() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    m record;
    k record;
BEGIN
    IF NOT EXISTS (SELECT FROM analytics_bases) THEN
        RETURN NULL;
    END IF;
    FOR k IN SELECT DISTINCT b.id, x.day FROM analytics_bases b CROSS JOIN LATERAL (
            SELECT (OLD.created_at AT TIME ZONE b.zone)::date WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT (NEW.created_at AT TIME ZONE b.zone)::date WHERE TG_OP <> 'DELETE') x (day)
        ORDER BY b.id, x.day
    LOOP
        PERFORM pg_advisory_xact_lock(k.id, k.day - date '2000-01-01');
    END LOOP;
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
