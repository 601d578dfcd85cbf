//! A reporter's rights over what sigap holds about them (UU 27/2022 Pasal 5 to 8: to be
//! informed, to correct, to have their data erased), exercised with the tracking token:
//! the request kinds, and the correction of the contact details read with the report's
//! own rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FieldError;
use crate::form::Fields;
use crate::ids::Email;
use crate::model::{Choice, Labelled, UnknownValue, stored_as_text, vocabulary};

vocabulary! {
    /// What a reporter asked for.
    pub enum RightsRequest {
        Export => "export", "Unduh data pribadi", "Personal data downloaded";
        Correction => "correction", "Perbaikan data kontak", "Contact details corrected";
        Erasure => "erasure", "Permintaan penghapusan", "Erasure requested";
    }
}

/// The contact details as the reporter corrects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCorrection {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// Reads a correction (`reporter_name`, `reporter_email` required, `reporter_phone`
/// optional), as the report form reads them; every bad field at once.
pub fn read_correction(body: &Value) -> Result<ContactCorrection, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let name = fields.required("reporter_name", 200);
    let email = fields.parsed("reporter_email", Email::parse);
    let phone = fields.optional("reporter_phone", 40);
    let errors = fields.into_errors();
    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok(ContactCorrection {
            name,
            email: email.as_str().to_owned(),
            phone,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_correction_is_read_as_the_report_form_reads_it() {
        let read = read_correction(&json!({"reporter_name": " Budi S. ",
            "reporter_email": "Budi@Contoh.ID", "reporter_phone": ""}))
        .unwrap();
        assert_eq!(read.name, "Budi S.");
        assert_eq!(read.email, "Budi@contoh.id", "the domain in lower case");
        assert_eq!(read.phone, None);
        let errors = read_correction(&json!({"reporter_email": "bukan alamat"})).unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["reporter_email", "reporter_name"]);
    }
}
