-- Signatures made from sigap (documents::signing): a signed copy made by the local PAdES
-- signer or the BSrE client records how (`method`: `local` or `bsre`), by whom (the
-- signer's user), with which certificate (subject, issuer, serial in hex), at which PAdES
-- level (`B-B` or `B-T`) and when. Copies uploaded by hand keep these columns empty.
ALTER TABLE signed_copies ADD COLUMN method TEXT;
ALTER TABLE signed_copies ADD COLUMN signer_id BIGINT REFERENCES users (id);
ALTER TABLE signed_copies ADD COLUMN cert_subject TEXT;
ALTER TABLE signed_copies ADD COLUMN cert_issuer TEXT;
ALTER TABLE signed_copies ADD COLUMN cert_serial TEXT;
ALTER TABLE signed_copies ADD COLUMN level TEXT;
ALTER TABLE signed_copies ADD COLUMN signed_at BIGINT;

-- One signature per signer and document: a second is refused by this key.
CREATE UNIQUE INDEX signed_copies_signer ON signed_copies (document_id, signer_id);
