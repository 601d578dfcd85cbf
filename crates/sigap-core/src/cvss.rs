//! CVSS scoring for the criticality assessment (SOP step 4): a v3.1 or v4.0 vector is parsed
//! and scored with the `cvss` crate, and the score is mapped to the SOP's two levels
//! (≥ 7.0 is high and blocked, below is low).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::model::Criticality;

const FIELD: &str = "cvss_vector";
const ACCEPTED: &str = "give a CVSS 3.1 vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H \
     or a CVSS 4.0 vector such as CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

/// The CVSS versions accepted. A `CVSS:3.0` vector is read and scored as 3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    /// `3.1` or `4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3_1 => "3.1",
            Self::V4_0 => "4.0",
        }
    }
}

/// The qualitative severity band of a score, as both CVSS versions define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CvssBand {
    /// 0.0
    None,
    /// 0.1 to 3.9
    Low,
    /// 4.0 to 6.9
    Medium,
    /// 7.0 to 8.9
    High,
    /// 9.0 to 10.0
    Critical,
}

impl CvssBand {
    /// The band a score falls in.
    pub fn from_score(score: f64) -> Self {
        // Compare in tenths so that 6.95-style float noise cannot slip between bands.
        let tenths = (score * 10.0).round();
        if tenths <= 0.0 {
            Self::None
        } else if tenths < 40.0 {
            Self::Low
        } else if tenths < 70.0 {
            Self::Medium
        } else if tenths < 90.0 {
            Self::High
        } else {
            Self::Critical
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// A scored vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The version the vector was scored with.
    pub version: CvssVersion,
    /// The vector as the `cvss` crate prints it (metrics in the standard order).
    pub vector: String,
    /// The score (for v3.1 the base score; for v4.0 the score of the metrics given), with
    /// one decimal.
    pub score: f64,
    /// The score's band.
    pub band: CvssBand,
}

impl CvssScore {
    /// The SOP level the score maps to: 7.0 and above is high.
    pub fn criticality(&self) -> Criticality {
        if matches!(self.band, CvssBand::High | CvssBand::Critical) {
            Criticality::High
        } else {
            Criticality::Low
        }
    }
}

/// Parses and scores a `CVSS:3.1/…` (or `CVSS:3.0/…`, read as 3.1) or `CVSS:4.0/…` vector.
pub fn score_vector(vector: &str) -> Result<CvssScore, FieldError> {
    let text = vector.trim().to_ascii_uppercase();
    if text.is_empty() {
        return Err(FieldError::new(
            FIELD,
            format!("the CVSS vector is empty: {ACCEPTED}"),
        ));
    }
    let parsed: ::cvss::Cvss = text.parse().map_err(|cause| parse_error(&cause))?;
    let (version, vector, score) = match parsed {
        ::cvss::Cvss::CvssV30(v3) | ::cvss::Cvss::CvssV31(v3) => score_v3(v3)?,
        ::cvss::Cvss::CvssV40(v4) => (CvssVersion::V4_0, v4.to_string(), v4.score().value()),
        _ => {
            return Err(FieldError::new(
                FIELD,
                format!("unsupported CVSS version: {ACCEPTED}"),
            ));
        }
    };
    let score = (score * 10.0).round() / 10.0;
    Ok(CvssScore {
        version,
        vector,
        score,
        band: CvssBand::from_score(score),
    })
}

fn parse_error(cause: &::cvss::Error) -> FieldError {
    FieldError::new(
        FIELD,
        format!("the CVSS vector could not be read ({cause}): {ACCEPTED}"),
    )
}

/// Scores a v3 vector as 3.1, after checking that every base metric is present (the crate
/// would score a missing metric as zero).
fn score_v3(mut v3: ::cvss::v3::Vector) -> Result<(CvssVersion, String, f64), FieldError> {
    let complete = v3.av.is_some()
        && v3.ac.is_some()
        && v3.pr.is_some()
        && v3.ui.is_some()
        && v3.s.is_some()
        && v3.c.is_some()
        && v3.i.is_some()
        && v3.a.is_some();
    if !complete {
        return Err(FieldError::new(
            FIELD,
            format!(
                "a CVSS 3.1 vector needs all eight base metrics (AV, AC, PR, UI, S, C, I, A): \
                 {ACCEPTED}"
            ),
        ));
    }
    v3.minor_version = 1;
    let score = v3.base_score().value();
    Ok((CvssVersion::V3_1, v3.to_string(), score))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_v3_vectors_score_as_published() {
        let critical = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(critical.version, CvssVersion::V3_1);
        assert_eq!(critical.score, 9.8);
        assert_eq!(critical.band, CvssBand::Critical);
        assert_eq!(critical.criticality(), Criticality::High);
        let medium = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N").unwrap();
        assert_eq!(medium.score, 6.1);
        assert_eq!(medium.band, CvssBand::Medium);
        assert_eq!(medium.criticality(), Criticality::Low);
    }

    #[test]
    fn a_known_v4_vector_scores_as_published() {
        let vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let scored = score_vector(vector).unwrap();
        assert_eq!(scored.version, CvssVersion::V4_0);
        assert_eq!(scored.score, 9.3);
        assert_eq!(scored.vector, vector);
        assert_eq!(scored.criticality(), Criticality::High);
    }

    #[test]
    fn vectors_are_normalised_and_3_0_is_read_as_3_1() {
        let scored = score_vector(" cvss:3.0/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N ").unwrap();
        assert_eq!(scored.version, CvssVersion::V3_1);
        assert_eq!(
            scored.vector,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        );
        assert_eq!(scored.score, 9.8);
    }

    #[test]
    fn garbage_and_incomplete_vectors_are_refused_naming_the_accepted_forms() {
        for bad in [
            "",
            "garbage",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "CVSS:3.1/AV:N/AC:L",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L",
            "CVSS:5.0/AV:N",
        ] {
            let error = score_vector(bad).unwrap_err();
            assert_eq!(error.field, "cvss_vector", "{bad}");
            assert!(error.message.contains("CVSS:3.1/") && error.message.contains("CVSS:4.0/"));
        }
    }

    #[test]
    fn bands_follow_the_published_ranges() {
        let bands: Vec<CvssBand> = [0.0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0]
            .map(CvssBand::from_score)
            .to_vec();
        use CvssBand::*;
        assert_eq!(
            bands,
            [
                None, Low, Low, Medium, Medium, High, High, Critical, Critical
            ]
        );
    }

    #[test]
    fn version_and_band_serialise_as_documented() {
        let scored = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        let json = serde_json::to_value(&scored).unwrap();
        assert_eq!(json["version"], "3.1");
        assert_eq!(json["band"], "critical");
        assert_eq!(json["score"], 9.8);
    }
}
