-- What was found of OpenPGP in a received message (JSON; empty when it had none): whether it
-- was encrypted and opened with the CSIRT's key or could not be opened (and why), and the
-- verdict on its signature (good, bad, unknown key) with the signing key's fingerprint,
-- user id and where the key came from (the CSIRT's known keys, or sent with the message).
ALTER TABLE inbound_mail ADD COLUMN pgp TEXT NOT NULL DEFAULT '';
