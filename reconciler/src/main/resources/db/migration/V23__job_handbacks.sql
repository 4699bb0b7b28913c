-- Hand-backs (a replica that cannot run a job gives it back for one that can) are counted apart from attempts.
ALTER TABLE jobs ADD COLUMN handbacks INTEGER DEFAULT 0 NOT NULL;
