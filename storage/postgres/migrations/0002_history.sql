-- Keepword schema 2: closed history summed up by day, and closes in the order they happened.
--
-- `history_days` holds one row per (user, UTC day of due) with closed promises: the
-- `core.history.DaySummary` of that day as storage/codec.py writes it. The store rewrites
-- a day's row, in the same transaction, whenever a closed promise of that day changes, so
-- a report reads a few numbers per day instead of every record of a year.
-- `history_users` lists the users whose rows are complete. Rows are derived data: a user
-- missing there (every user right after this migration, or after a batch write) has them
-- rebuilt from `promises` the first time they are asked for.

CREATE TABLE history_days (
    user_id bigint NOT NULL,
    day     date   NOT NULL,
    data    json   NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE history_users (
    user_id bigint PRIMARY KEY
);

-- When a promise was closed (a copy of data's `closed`): /history and the kind picker show
-- the latest closes.
ALTER TABLE promises ADD COLUMN closed timestamptz;
UPDATE promises SET closed = (data->>'closed')::timestamptz
    WHERE outcome IS NOT NULL AND data->>'closed' IS NOT NULL;
CREATE INDEX promises_latest_closed ON promises (user_id, (coalesce(closed, due)) DESC, id DESC)
    WHERE outcome IS NOT NULL;
