//! The Traffic Light Protocol 2.0 label of a ticket (defined in `sigap-core`), which every
//! notification about it carries: in front of the subject and at the top of the body
//! whenever it is not `TLP:CLEAR`.

pub use sigap_core::{Tlp, UnknownTlp};
