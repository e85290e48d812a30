-- An analytics rebuild refreshes the repeat facts of every complaint whose
-- facts are stale (a bulk import, a partial restore). Those writes fired a
-- console notification and a rollup update per row, though the rebuild
-- recomputes every rollup right after and no page shows the facts: over a
-- million stale rows that took longer than the rebuild itself. The rebuild
-- now marks its own transactions (SET LOCAL redress.rebuilding = 'on'), and
-- these two triggers stay quiet for them; every other writer's changes are
-- tracked as before.
CREATE FUNCTION analytics_rebuilding() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('redress.rebuilding', true), '') = 'on'
$$;

DROP TRIGGER complaints_notify ON complaints;
CREATE TRIGGER complaints_notify AFTER INSERT OR UPDATE ON complaints
    FOR EACH ROW WHEN (NOT analytics_rebuilding()) EXECUTE FUNCTION notify_complaint_changed();

DROP TRIGGER analytics_track_update ON complaints;
CREATE TRIGGER analytics_track_update AFTER UPDATE ON complaints
    FOR EACH ROW WHEN (NOT analytics_rebuilding() AND
        (OLD.created_at, OLD.status, OLD.category, OLD.priority, OLD.channel, OLD.customer_tier,
            OLD.resolution->>'root_cause', OLD.assignee, OLD.acknowledged_at, OLD.first_resolved_at,
            OLD.ack_breached, OLD.resolve_breached, OLD.survey->>'status', OLD.survey->>'score', OLD.reopened,
            OLD.winback->>'status', OLD.winback->>'outcome', OLD.previous_customer_at, OLD.previous_order_at)
        IS DISTINCT FROM (NEW.created_at, NEW.status, NEW.category, NEW.priority, NEW.channel, NEW.customer_tier,
            NEW.resolution->>'root_cause', NEW.assignee, NEW.acknowledged_at, NEW.first_resolved_at,
            NEW.ack_breached, NEW.resolve_breached, NEW.survey->>'status', NEW.survey->>'score', NEW.reopened,
            NEW.winback->>'status', NEW.winback->>'outcome', NEW.previous_customer_at, NEW.previous_order_at))
    EXECUTE FUNCTION analytics_track();
