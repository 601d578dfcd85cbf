//! How an electronic system is classed for the rules around the SOP: its *kategori sistem
//! elektronik* by risk (Peraturan Menteri Komunikasi dan Informatika Nomor 4 Tahun 2016
//! tentang Sistem Manajemen Pengamanan Informasi, Pasal 4: strategis, tinggi, rendah, as the
//! SPBE security rules use them), and whether it is vital information infrastructure
//! (*infrastruktur informasi vital*, IIV: Peraturan Presiden Nomor 82 Tahun 2022), whose
//! incidents go upward within 1×24 hours.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::UnknownValue;

/// The risk category of an electronic system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SystemCategory {
    /// *Strategis*: its disruption touches the public interest, public services, the
    /// running of government or national defence and security.
    Strategis,
    /// *Tinggi*: a system of a regional government or a sector that serves the public.
    Tinggi,
    /// *Rendah*: the others.
    Rendah,
}

impl SystemCategory {
    pub const ALL: &'static [SystemCategory] = &[
        SystemCategory::Strategis,
        SystemCategory::Tinggi,
        SystemCategory::Rendah,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SystemCategory::Strategis => "strategis",
            SystemCategory::Tinggi => "tinggi",
            SystemCategory::Rendah => "rendah",
        }
    }
}

impl fmt::Display for SystemCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SystemCategory {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<SystemCategory, UnknownValue> {
        SystemCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownValue {
                value: s.to_owned(),
                expected: &["strategis", "tinggi", "rendah"],
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_go_there_and_back_and_others_are_refused() {
        for c in SystemCategory::ALL {
            assert_eq!(c.as_str().parse::<SystemCategory>().unwrap(), *c);
        }
        let e = "sedang".parse::<SystemCategory>().unwrap_err();
        assert!(e.to_string().contains("strategis"), "{e}");
    }
}
