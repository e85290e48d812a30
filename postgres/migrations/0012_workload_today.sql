-- The supervisor view counts what was acknowledged and resolved today on
-- every live refresh; without these it reads the whole complaints table.
CREATE INDEX complaints_acknowledged_at ON complaints (acknowledged_at) WHERE acknowledged_at IS NOT NULL;
CREATE INDEX complaints_resolved_at ON complaints (resolved_at) WHERE resolved_at IS NOT NULL;
