-- Per-repository suspend/resume, as Flux's `suspend`: a suspended repository is not reconciled
-- (no builds, no drift correction) until it is resumed; what runs keeps running.
ALTER TABLE repositories ADD COLUMN suspended BOOLEAN DEFAULT FALSE NOT NULL;
