-- Canned replies (SPEC section 14): supervisors write them, agents send
-- them with the complaint's fields filled in. texts holds one text per
-- language, checked for their fields before they are stored.
CREATE TABLE macros (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    texts      jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
