-- Anti-spam of public intake: the proof-of-work challenges already used (each is good for
-- one report, until it expires), and the reports counted per client address (a keyed hash,
-- never the address itself) and clock hour, with and without a proof.

CREATE TABLE spent_challenges (
    salt        TEXT   PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE intake_counts (
    client  TEXT   NOT NULL,
    hour    BIGINT NOT NULL,
    proven  BIGINT NOT NULL DEFAULT 0,
    plain   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (client, hour)
);
