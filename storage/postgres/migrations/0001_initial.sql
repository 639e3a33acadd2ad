-- Keepword schema 1: settings, promises and routines, one row per record.
--
-- `data` holds the record exactly as storage/codec.py writes it (the same JSON the
-- TinyDB files hold), so every field round-trips and a field added to core.models needs
-- no migration. The other columns are copies of the few fields that queries filter or
-- sort on; the store writes both from the same record in one statement.
--
-- No foreign keys between the tables: the Store contract keeps promises and routines of a
-- user who has no settings row, a repair whose original is gone, and occurrences of a
-- deleted routine (their history stays). Constraints cover what is impossible instead.

CREATE TABLE users (
    user_id bigint PRIMARY KEY,
    data    json   NOT NULL
);

CREATE TABLE promises (
    user_id           bigint      NOT NULL,
    id                text        COLLATE "C" NOT NULL,
    due               timestamptz NOT NULL,
    outcome           text,
    source_message_id bigint,
    data              json        NOT NULL,
    PRIMARY KEY (user_id, id),
    CONSTRAINT promises_outcome_known CHECK (
        outcome IS NULL OR outcome IN ('kept', 'late', 'broken', 'unanswered', 'cancelled')
    ),
    CONSTRAINT promises_id_not_empty CHECK (id <> '')
);

-- Start-up and "open promises due soon": open rows only, by due time.
CREATE INDEX promises_open_due ON promises (due) WHERE outcome IS NULL;
-- One user's open promises, in the order the bot lists them.
CREATE INDEX promises_open_by_user ON promises (user_id, due, id) WHERE outcome IS NULL;
-- One user's closed promises by due time: the weekly report and the score read a week.
CREATE INDEX promises_closed_by_user ON promises (user_id, due, id) WHERE outcome IS NOT NULL;
-- The re-delivery guard, and the rule behind it: one open promise per source message.
CREATE INDEX promises_by_source ON promises (user_id, source_message_id)
    WHERE source_message_id IS NOT NULL;
CREATE UNIQUE INDEX promises_one_open_per_source ON promises (user_id, source_message_id)
    WHERE outcome IS NULL AND source_message_id IS NOT NULL;

CREATE TABLE routines (
    user_id bigint      NOT NULL,
    id      text        COLLATE "C" NOT NULL,
    created timestamptz NOT NULL,
    data    json        NOT NULL,
    PRIMARY KEY (user_id, id),
    CONSTRAINT routines_id_not_empty CHECK (id <> '')
);
