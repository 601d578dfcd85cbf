-- What the public verification page says of a document beyond its number and hash: who
-- signed it as it was printed (one "position\tname" per line) and whether it was issued as
-- a draft (no signer configured for its kind). Documents issued before keep '' and false.
ALTER TABLE documents ADD COLUMN signed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN draft BOOLEAN NOT NULL DEFAULT FALSE;
