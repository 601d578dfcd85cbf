-- When each user's password was last set, for the password lifetime of the national
-- rules (`sigap_core::law`); empty for passwords set before: their user's creation counts.
ALTER TABLE users ADD COLUMN password_set_at BIGINT;
