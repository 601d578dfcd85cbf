-- How each electronic system is classed for the national rules: vital information
-- infrastructure (IIV, Perpres 82/2022) and its risk category (`strategis`, `tinggi`,
-- `rendah`, Permenkominfo 4/2016); empty: not classed yet.
ALTER TABLE systems ADD COLUMN iiv BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE systems ADD COLUMN category TEXT;
