//! The demo's signer: `serve --demo` with no signer configured signs documents from sigap
//! with a certificate made at start, under a demo CA made at the same time, both in memory
//! only and named as not valid for official use. The demo's documents file makes the demo
//! CSIRT account the signer of the head of the team's documents, so that "Tandatangani" can
//! be tried on the ticket page; a signature made with it is intact but trusted by nobody.

use std::sync::Arc;

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use sigap_app::documents::config::DocumentConfig;
use sigap_app::documents::signing::Signer;
use sigap_app::documents::signing::local::LocalSigner;
use sigap_core::DocumentKind;

/// The demo CA's name, which says what it is.
pub const DEMO_CA: &str = "CA Demo sigap (tidak sah untuk kedinasan)";

/// The organisation in the demo certificates.
const ORGANISATION: &str = "Dinas Komunikasi dan Informatika Kota Batam (demo)";

fn name(common: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "ID");
    name.push(DnType::OrganizationName, ORGANISATION);
    name.push(DnType::CommonName, common);
    name
}

/// The demo account that signs the head of the team's documents.
pub const DEMO_SIGNER_ACCOUNT: &str = "csirt@demo.batam.go.id";

/// The name the documents print for [`DEMO_SIGNER_ACCOUNT`] on the validation minutes.
pub fn demo_signer_name(documents: &DocumentConfig) -> Option<String> {
    documents
        .signers(DocumentKind::BaValidation)?
        .iter()
        .find(|s| s.user.as_deref() == Some(DEMO_SIGNER_ACCOUNT))
        .map(|s| s.name.clone())
}

/// A signer whose certificate names `signer` (the signer's name in the documents file),
/// under a demo CA made now (`now`); valid from the day before for a year.
pub fn demo_signer(signer: &str, now: DateTime<Utc>) -> anyhow::Result<Arc<dyn Signer>> {
    let day = |at: DateTime<Utc>| {
        let month = u8::try_from(at.month()).unwrap_or(1);
        let day = u8::try_from(at.day()).unwrap_or(1);
        date_time_ymd(at.year(), month, day)
    };
    let validity = |params: &mut CertificateParams| {
        params.not_before = day(now - TimeDelta::days(1));
        params.not_after = day(now + TimeDelta::days(365));
    };
    let mut ca = CertificateParams::default();
    ca.distinguished_name = name(DEMO_CA);
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut ca);
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut person = CertificateParams::default();
    person.distinguished_name = name(signer);
    person.is_ca = IsCa::ExplicitNoCa;
    person.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    validity(&mut person);
    let key = KeyPair::generate()?;
    let cert = person.signed_by(&key, &issuer)?;
    let chain = vec![cert.der().to_vec(), ca_cert.der().to_vec()];
    let local = LocalSigner::from_parts(&key.serialize_der(), chain, None)
        .map_err(|e| anyhow::anyhow!("the demo signer: {e}"))?;
    Ok(Arc::new(local))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_documents_name_the_demo_signer() {
        let documents = DocumentConfig::demo().unwrap();
        assert_eq!(
            demo_signer_name(&documents).as_deref(),
            Some("Ir. Hendra Saputra, M.T.")
        );
    }

    #[test]
    fn the_demo_signer_s_certificate_says_it_is_a_demo() {
        let now = "2026-12-07T12:00:00Z".parse().unwrap();
        let signer = demo_signer("Ir. Hendra Saputra, M.T.", now).unwrap();
        let text = format!("{signer:?}");
        assert!(text.contains("CN=Ir. Hendra Saputra, M.T."), "{text}");
        assert!(text.contains(DEMO_CA), "{text}");
        assert!(text.contains("(demo)"), "{text}");
    }
}
