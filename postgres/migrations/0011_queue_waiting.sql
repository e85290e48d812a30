-- The waiting queue in deadline order. Most of its complaints have their
-- clock paused and so sort last in complaints_queue, where reading them
-- would mean passing every other open complaint first.
CREATE INDEX complaints_queue_waiting ON complaints (next_due_at, id) WHERE status = 'waiting_on_customer';
