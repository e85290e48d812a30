-- What a complaint's workflow needs to run again from PostgreSQL alone: the
-- policy it was filed under (a complaint keeps it for life, and the sweep
-- that starts a complaint left unstarted must use it, not the worker's), and
-- the bookkeeping of its latest step (the deadlines that its state does not
-- show). A complaint whose workflow was terminated or lost is started again
-- from them with its deadlines intact (redress repair). Older rows have
-- neither; repair falls back to the current policy and what the state shows.
ALTER TABLE complaints
    ADD COLUMN policy jsonb,
    ADD COLUMN bookkeeping jsonb;
