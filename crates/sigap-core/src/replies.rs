//! Canned replies to the reporter ("Balasan siap pakai"): the messages the help desk and the
//! CSIRT write most (received, more information needed, fixed, thanks), in Indonesian and
//! English, kept by admins on the settings page (`PUT /api/v1/settings/replies`). A reply
//! only fills the ticket's comment form in the reporter's language; staff read and change
//! it before it is sent, and it goes like any message to the reporter.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::form::{Given, Lenient};
use crate::model::{Choice, Labelled, UnknownValue, stored_as_text, vocabulary};

vocabulary! {
    /// The canned replies, in the order the page offers them.
    pub enum ReplyKind {
        /// The report has arrived and is being checked.
        Received => "received", "Laporan diterima", "Report received";
        /// The CSIRT needs more to go on.
        NeedInfo => "need_info", "Perlu informasi tambahan", "More information needed";
        /// The agency has fixed the finding.
        Fixed => "fixed", "Sudah diperbaiki", "Fixed";
        /// Thanks for the report.
        Thanks => "thanks", "Terima kasih", "Thank you";
    }
}

/// The most characters of one reply in one language.
pub const MAX_REPLY_CHARS: usize = 2_000;

/// One canned reply in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub kind: ReplyKind,
    /// The text in Indonesian.
    pub id: String,
    /// The text in English.
    pub en: String,
}

impl Reply {
    /// The text in the reader's language (`id` or `en`; anything else reads Indonesian).
    pub fn text(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.id }
    }
}

/// The replies a new installation starts with.
pub fn default_replies() -> Vec<Reply> {
    let reply = |kind, id: &str, en: &str| Reply {
        kind,
        id: id.to_owned(),
        en: en.to_owned(),
    };
    vec![
        reply(
            ReplyKind::Received,
            "Terima kasih, laporan Anda sudah kami terima dan sedang kami periksa. Kami akan \
             memberi kabar melalui halaman pelacakan ini.",
            "Thank you, we have received your report and are checking it. We will keep you \
             informed on this tracking page.",
        ),
        reply(
            ReplyKind::NeedInfo,
            "Untuk memeriksa laporan ini, kami memerlukan keterangan tambahan: langkah yang \
             Anda lakukan, alamat yang terdampak, dan waktu pengujian. Mohon balas melalui \
             halaman pelacakan ini.",
            "To check this report we need more detail: the steps you took, the address \
             affected and when you tested. Please reply on this tracking page.",
        ),
        reply(
            ReplyKind::Fixed,
            "Perangkat daerah terkait telah memperbaiki kerentanan yang Anda laporkan. Terima \
             kasih atas laporan Anda.",
            "The agency concerned has fixed the vulnerability you reported. Thank you for \
             your report.",
        ),
        reply(
            ReplyKind::Thanks,
            "Terima kasih atas kepedulian Anda terhadap keamanan sistem elektronik Pemerintah \
             Kota Batam.",
            "Thank you for caring about the security of the City of Batam's electronic \
             systems.",
        ),
    ]
}

/// The replies as `PUT /api/v1/settings/replies` and the settings page send them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RepliesRequest {
    /// Each kind at most once; a kind left out keeps the text in force.
    #[schema(value_type = Vec<ReplyRequest>)]
    pub replies: Lenient<Vec<ReplyRequest>>,
}

/// One reply of [`RepliesRequest`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReplyRequest {
    /// `received`, `need_info`, `fixed` or `thanks`.
    #[schema(value_type = String)]
    pub kind: Given,
    /// The text in Indonesian, 1 to 2,000 characters.
    #[schema(value_type = String)]
    pub id: Given,
    /// The text in English, 1 to 2,000 characters.
    #[schema(value_type = String)]
    pub en: Given,
}

/// The replies in force after `request` changes `current`: every kind once, in order.
/// Each error names its field (`replies.fixed.id`).
pub fn check_replies(
    current: &[Reply],
    request: &RepliesRequest,
) -> Result<Vec<Reply>, Vec<FieldError>> {
    let Some(list) = request.replies.fits() else {
        return Err(vec![FieldError::new(
            "replies",
            "`replies` must be a list of {kind, id, en}",
        )]);
    };
    let mut errors = Vec::new();
    let mut replies: Vec<Reply> = ReplyKind::ALL
        .iter()
        .map(|&kind| {
            current
                .iter()
                .find(|r| r.kind == kind)
                .cloned()
                .unwrap_or_else(|| default_of(kind))
        })
        .collect();
    let mut seen = Vec::new();
    for item in list {
        let given = item.kind.as_str().unwrap_or("").trim();
        let Ok(kind) = given.parse::<ReplyKind>() else {
            let expected = ReplyKind::NAMES.join(", ");
            errors.push(FieldError::new(
                "replies",
                format!("`{given}` is not a reply; one of {expected}"),
            ));
            continue;
        };
        if seen.contains(&kind) {
            errors.push(FieldError::new(
                format!("replies.{kind}"),
                format!("`{kind}` is given twice"),
            ));
            continue;
        }
        seen.push(kind);
        let id = text(&item.id, &format!("replies.{kind}.id"), &mut errors);
        let en = text(&item.en, &format!("replies.{kind}.en"), &mut errors);
        if let (Some(id), Some(en), Some(slot)) =
            (id, en, replies.iter_mut().find(|r| r.kind == kind))
        {
            *slot = Reply { kind, id, en };
        }
    }
    if errors.is_empty() {
        Ok(replies)
    } else {
        Err(errors)
    }
}

fn default_of(kind: ReplyKind) -> Reply {
    default_replies()
        .into_iter()
        .find(|r| r.kind == kind)
        .unwrap_or(Reply {
            kind,
            id: String::new(),
            en: String::new(),
        })
}

/// A reply's text: required, at most [`MAX_REPLY_CHARS`], line breaks kept.
fn text(given: &Given, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match crate::ids::required_text(field, given.as_str(), MAX_REPLY_CHARS) {
        Ok(text) => Some(text),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(value: serde_json::Value) -> RepliesRequest {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_change_replaces_its_kind_and_keeps_the_others() {
        let current = default_replies();
        let changed = check_replies(
            &current,
            &request(json!({"replies": [
                {"kind": "fixed", "id": " Sudah beres.\nTerima kasih. ", "en": "Fixed."}
            ]})),
        )
        .unwrap();
        assert_eq!(changed.len(), 4);
        assert_eq!(changed[2].kind, ReplyKind::Fixed);
        assert_eq!(changed[2].id, "Sudah beres.\nTerima kasih.");
        assert_eq!(changed[2].text("en"), "Fixed.");
        assert_eq!(changed[0], current[0]);
    }

    #[test]
    fn bad_replies_are_named() {
        let long = "x".repeat(MAX_REPLY_CHARS + 1);
        let errors = check_replies(
            &default_replies(),
            &request(json!({"replies": [
                {"kind": "fixed", "id": "", "en": long},
                {"kind": "fixed", "id": "a", "en": "b"},
                {"kind": "soon", "id": "a", "en": "b"}
            ]})),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "replies.fixed.id",
                "replies.fixed.en",
                "replies.fixed",
                "replies"
            ]
        );
        let not_a_list = check_replies(&default_replies(), &request(json!({"replies": 3})));
        assert!(not_a_list.is_err());
    }
}
