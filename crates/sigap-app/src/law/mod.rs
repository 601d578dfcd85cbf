//! The national rules around the SOP where they reach past one step's workflow: the report
//! of Peraturan BSSN 1/2024 itself, a document and the STIX 2.1 bundle of the ticket
//! ([`sectoral_document`]), which names the exports beside the documents.

pub mod sectoral_document;
