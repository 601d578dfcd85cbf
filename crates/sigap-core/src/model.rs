//! The closed vocabularies of the SOP: roles, ticket states, actions, severities, document
//! kinds and the other small enums that every layer shares. Each one is spelt the same way
//! everywhere (its snake_case name is its wire, database and URL form), parses with
//! [`std::str::FromStr`] into a readable [`UnknownValue`] error, and carries an Indonesian
//! and an English label for people.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One value of a closed vocabulary as a form offers it: its name and its two labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The snake_case name that is sent.
    pub name: &'static str,
    /// The label in Indonesian.
    pub label_id: &'static str,
    /// The label in English.
    pub label_en: &'static str,
}

/// A word that is not one of an enum's names, with the names that would have been accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown value `{value}`; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// The text that was given, as given.
    pub value: String,
    /// Every accepted name, in declaration order.
    pub expected: &'static [&'static str],
}

/// Stores `$name` as the text of its `FromStr`/`Display` form: with the `sqlx` feature it
/// decodes from a TEXT column, and a stored word the code does not know is a decoding error
/// that names the column, never a default.
macro_rules! stored_as_text {
    ($name:ident) => {
        #[cfg(feature = "sqlx")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}
pub(crate) use stored_as_text;

/// A value of a closed vocabulary, with its short labels for people: what a page shows
/// of a state, a role or an action without reading its name back.
pub trait Labelled: Copy {
    /// The label in plain Indonesian.
    fn label_id(self) -> &'static str;
    /// The label in English.
    fn label_en(self) -> &'static str;
}

impl<T: Labelled> Labelled for &T {
    fn label_id(self) -> &'static str {
        (*self).label_id()
    }

    fn label_en(self) -> &'static str {
        (*self).label_en()
    }
}

/// Declares a closed vocabulary: the enum, `ALL`, `NAMES`, `as_str`, the two labels,
/// `Display` and `FromStr`. The snake_case names are written out so that a reader sees the
/// wire form next to each variant; a test checks that serde spells them the same way.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, $label_id:literal, $label_en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// Every value's snake_case name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// Every value as a choice of a form, with its labels, in declaration order.
            pub const CHOICES: &'static [Choice] = &[
                $(Choice { name: $text, label_id: $label_id, label_en: $label_en },)+
            ];

            /// The snake_case name: the form used on the wire, in storage and in URLs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// A short label in plain Indonesian, for people.
            pub fn label_id(self) -> &'static str {
                match self {
                    $(Self::$variant => $label_id,)+
                }
            }

            /// A short label in English, for people.
            pub fn label_en(self) -> &'static str {
                match self {
                    $(Self::$variant => $label_en,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Labelled for $name {
            fn label_id(self) -> &'static str {
                $name::label_id(self)
            }

            fn label_en(self) -> &'static str {
                $name::label_en(self)
            }
        }

        stored_as_text!($name);

        impl FromStr for $name {
            type Err = UnknownValue;

            /// Reads the snake_case name; surrounding spaces and letter case are ignored.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == wanted)
                    .ok_or_else(|| UnknownValue { value: s.to_owned(), expected: Self::NAMES })
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// What a user account may do. A `system_owner` is further scoped to one agency.
    pub enum Role {
        /// Manages users, agencies, systems, templates and settings; no workflow action.
        Admin => "admin", "Administrator", "Administrator";
        /// The help desk: takes reports in (SOP steps 1-2) and may close tickets.
        Helpdesk => "helpdesk", "Petugas Layanan Aduan", "Help desk";
        /// The CSIRT's internal team: validates, assesses, notifies, reviews.
        Csirt => "csirt", "Tim Internal CSIRT", "CSIRT team";
        /// The domain-name official who blocks and unblocks systems.
        DomainOfficer => "domain_officer", "Pejabat Nama Domain", "Domain officer";
        /// The person responsible for an electronic system in its owning agency.
        SystemOwner => "system_owner", "Penanggung Jawab Sistem Elektronik", "System owner";
        /// The Regional Secretary, who approves reactivation under the "> 3 reports" rule.
        RegionalSecretary => "regional_secretary", "Sekretaris Daerah", "Regional Secretary";
        /// Reads everything, changes nothing.
        Auditor => "auditor", "Auditor", "Auditor";
    }
}

vocabulary! {
    /// Where a ticket stands: the SOP step that must happen next, or how it ended.
    pub enum State {
        /// Step 3 next: validate the report.
        Queued => "queued", "Menunggu validasi", "Awaiting validation";
        /// Step 4 next: assess the criticality.
        Assessing => "assessing", "Penilaian tingkat kekritisan", "Assessing criticality";
        /// Step 5 next: block the system (high criticality).
        AwaitingBlock => "awaiting_block", "Menunggu pemblokiran sistem", "Awaiting the block";
        /// Step 6 next: report to the agency.
        Notifying => "notifying", "Penyampaian laporan ke perangkat daerah",
            "Reporting to the agency";
        /// Step 7 next: the agency fixes the vulnerability.
        Remediating => "remediating", "Dalam perbaikan oleh perangkat daerah",
            "Being fixed by the agency";
        /// Step 8 next: the follow-up letter.
        FollowUp => "follow_up", "Penyusunan surat tindak lanjut", "Follow-up letter";
        /// Step 9 next: the internal review meeting.
        Reviewing => "reviewing", "Rapat internal pembahasan tindak lanjut",
            "Internal review meeting";
        /// The Regional Secretary's approval is needed before step 10.
        AwaitingApproval => "awaiting_approval", "Menunggu persetujuan Sekretaris Daerah",
            "Awaiting the Regional Secretary's approval";
        /// Step 10 next: unblock (if blocked) and close.
        Closing => "closing", "Pembukaan blokir dan penutupan tiket",
            "Unblocking and closing";
        /// Handled and closed.
        Closed => "closed", "Selesai", "Closed";
        /// Found invalid at step 3.
        Rejected => "rejected", "Ditolak (laporan tidak valid)", "Rejected (invalid report)";
        /// The same finding as another ticket.
        Duplicate => "duplicate", "Duplikat laporan lain", "Duplicate of another report";
    }
}

impl State {
    /// Whether the ticket has ended: no action applies any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::Rejected | Self::Duplicate)
    }

    /// The number of the SOP step that must happen next, when the state is one of them.
    pub fn sop_step(self) -> Option<u8> {
        match self {
            Self::Queued => Some(3),
            Self::Assessing => Some(4),
            Self::AwaitingBlock => Some(5),
            Self::Notifying => Some(6),
            Self::Remediating => Some(7),
            Self::FollowUp => Some(8),
            Self::Reviewing => Some(9),
            Self::Closing => Some(10),
            Self::AwaitingApproval | Self::Closed | Self::Rejected | Self::Duplicate => None,
        }
    }
}

vocabulary! {
    /// Something a user does to a ticket (the names in `docs/workflow.md` and the action
    /// URLs).
    pub enum Action {
        /// Step 3: decide whether the report is valid.
        Validate => "validate", "Validasi laporan", "Validate the report";
        /// End the ticket as the same finding as another one.
        MarkDuplicate => "mark_duplicate", "Tandai sebagai duplikat", "Mark as duplicate";
        /// Step 4: assess the criticality.
        Assess => "assess", "Nilai tingkat kekritisan", "Assess the criticality";
        /// Step 5: block the system.
        Block => "block", "Blokir sistem elektronik", "Block the system";
        /// Step 6: report to the agency with a letter.
        NotifyAgency => "notify_agency", "Sampaikan laporan ke perangkat daerah",
            "Notify the agency";
        /// Step 7: report what was fixed.
        SubmitRemediation => "submit_remediation", "Laporkan hasil perbaikan",
            "Submit the remediation";
        /// Step 8: send the follow-up letter.
        SendFollowUp => "send_follow_up", "Kirim surat tindak lanjut",
            "Send the follow-up letter";
        /// Step 9: record the internal review meeting's decision.
        Review => "review", "Catat hasil rapat internal", "Record the review meeting";
        /// The Regional Secretary's decision on reactivation.
        ApproveReactivation => "approve_reactivation", "Putuskan pengaktifan kembali",
            "Decide on reactivation";
        /// Step 10: lift the block.
        Unblock => "unblock", "Buka blokir", "Lift the block";
        /// Step 10: close the ticket.
        Close => "close", "Tutup tiket", "Close the ticket";
        /// Add a comment.
        Comment => "comment", "Tambah komentar", "Add a comment";
        /// Attach evidence files.
        Attach => "attach", "Lampirkan berkas", "Attach files";
        /// Give the ticket to a staff member.
        Assign => "assign", "Tugaskan", "Assign";
    }
}

impl Action {
    /// Whether a successful action moves the ticket to another state. `unblock` does not: the
    /// ticket stays in `closing` and only its block is lifted.
    pub fn changes_state(self) -> bool {
        !matches!(
            self,
            Self::Comment | Self::Attach | Self::Assign | Self::Unblock
        )
    }
}

vocabulary! {
    /// What a background job does; the worker runs each kind by one table, wired at start.
    pub enum JobKind {
        /// A mail of a step, a deadline or a meeting (`sigap_app::outbox::notify`).
        Mail => "mail", "Surel", "Mail";
        /// A signed state change to a configured URL (`sigap_app::outbox::webhooks`).
        Webhook => "webhook", "Webhook", "Webhook";
        /// Mail about sigap itself: the audit chain found broken.
        Alert => "alert", "Peringatan", "Alert";
        /// Mail about a staff member's own account: a "Lupa kata sandi" link.
        Account => "account", "Akun", "Account";
        /// The acknowledgement of mail received by the CSIRT (`sigap_app::inbox`).
        Inbox => "inbox", "Tanda terima surel", "Mail acknowledgement";
        /// An issued periodic report mailed to its recipients (`sigap_app::stats`).
        Report => "report", "Laporan berkala", "Periodic report";
    }
}

vocabulary! {
    /// Where a background job (a mail, a webhook, an alert) stands in the job table.
    pub enum JobState {
        /// Waiting for its time or its next attempt.
        Pending => "pending", "Menunggu", "Pending";
        /// Claimed by a worker, which holds it until its lease ends.
        Running => "running", "Sedang berjalan", "Running";
        /// Delivered.
        Done => "done", "Selesai", "Done";
        /// Given up after its attempts; an admin may retry it.
        Failed => "failed", "Gagal", "Failed";
        /// A mail delivered, then returned by the recipient's mail server (a delivery
        /// status notification): the address does not take mail.
        Bounced => "bounced", "Ditolak penerima", "Bounced";
    }
}

vocabulary! {
    /// The severity a reporter claims; the CSIRT's own judgement is [`Criticality`].
    pub enum Severity {
        /// Low.
        Low => "low", "Rendah", "Low";
        /// Medium.
        Medium => "medium", "Sedang", "Medium";
        /// High.
        High => "high", "Tinggi", "High";
        /// Critical.
        Critical => "critical", "Kritis", "Critical";
    }
}

vocabulary! {
    /// The SOP's two criticality levels, decided at step 4: high is blocked, low is not. The
    /// labels say the level only; whether the system is blocked now is its own fact
    /// (`blocked`), shown beside it.
    pub enum Criticality {
        /// High: the system is blocked.
        High => "high", "Tinggi", "High";
        /// Low: the system is not blocked.
        Low => "low", "Rendah", "Low";
    }
}

vocabulary! {
    /// Who may read a comment.
    pub enum Visibility {
        /// CSIRT staff only.
        Internal => "internal", "Internal", "Internal";
        /// Staff and the owning agency's system owners.
        Agency => "agency", "Perangkat daerah", "Agency";
        /// Also the reporter, on the tracking page.
        Reporter => "reporter", "Pelapor", "Reporter";
    }
}

vocabulary! {
    /// Who wrote a comment: the reporter (from the tracking page) or a staff member.
    pub enum Author {
        /// The reporter, through the tracking page or the API with the tracking token.
        Reporter => "reporter", "Pelapor", "Reporter";
        /// A signed-in staff member (system owners included).
        Staff => "staff", "Petugas", "Staff";
    }
}

vocabulary! {
    /// Who a warning or sanction concerns: civil servants, whom the ASN discipline rules
    /// govern, or a third-party vendor, whom the contract governs.
    pub enum Party {
        /// ASN staff or a unit of the agency.
        Asn => "asn", "ASN/Unit Kerja", "Civil servants or a unit";
        /// A third-party vendor (*penyedia*).
        Vendor => "vendor", "Penyedia pihak ketiga", "Third-party vendor";
    }
}

vocabulary! {
    /// What the letter to the agency recommends about the ASN or unit concerned.
    pub enum Recommendation {
        /// No recommendation.
        None => "none", "Tidak ada", "None";
        /// A warning.
        Warning => "warning", "Teguran", "Warning";
        /// A sanction (a recommendation only: the authorised official decides).
        Sanction => "sanction", "Sanksi", "Sanction";
    }
}

vocabulary! {
    /// How a report reached the CSIRT.
    pub enum Channel {
        /// The public web form.
        Web => "web", "Formulir web", "Web form";
        /// The public API.
        Api => "api", "API", "API";
        /// By telephone, entered by the help desk.
        Phone => "phone", "Telepon", "Phone";
        /// By e-mail, entered by the help desk.
        Email => "email", "Surel", "E-mail";
        /// In person, entered by the help desk.
        WalkIn => "walk_in", "Datang langsung", "Walk-in";
        /// By letter, entered by the help desk.
        Letter => "letter", "Surat", "Letter";
    }
}

vocabulary! {
    /// How a report was validated at step 3.
    pub enum ValidationMethod {
        /// Through the ticket itself.
        Ticket => "ticket", "Melalui tiket", "Through the ticket";
        /// In a meeting.
        Meeting => "meeting", "Melalui rapat", "In a meeting";
    }
}

vocabulary! {
    /// The official documents sigap issues (see `docs/documents.md`).
    pub enum DocumentKind {
        /// Step 1: receipt of the report.
        Acknowledgement => "acknowledgement", "Tanda Terima Laporan", "Acknowledgement";
        /// Step 3: minutes of validation.
        BaValidation => "ba_validation", "Berita Acara Hasil Validasi Laporan",
            "Validation minutes";
        /// Step 4: minutes of the criticality assessment.
        BaCriticality => "ba_criticality", "Berita Acara Penilaian Tingkat Kekritisan",
            "Criticality assessment minutes";
        /// Step 5: evidence of the block.
        BlockRecord => "block_record", "Bukti Pemblokiran Sistem Elektronik", "Block record";
        /// Step 6: the report to the agency.
        AgencyReport => "agency_report", "Laporan Hasil Validasi dan Tingkat Kekritisan",
            "Report to the agency";
        /// Step 6: the letter to the agency.
        LetterNotice => "letter_notice", "Surat Pemberitahuan", "Notice letter";
        /// Step 7: the remediation report.
        RemediationReport => "remediation_report", "Laporan Hasil Penanganan Kerentanan",
            "Remediation report";
        /// Step 8: the follow-up letter.
        LetterFollowUp => "letter_follow_up", "Surat Tindak Lanjut", "Follow-up letter";
        /// Step 9: minutes of the internal review meeting.
        BaReviewMeeting => "ba_review_meeting", "Berita Acara Hasil Rapat Internal",
            "Review meeting minutes";
        /// The Regional Secretary's decision on reactivation.
        ApprovalReactivation => "approval_reactivation", "Persetujuan Pengaktifan Kembali",
            "Reactivation approval";
        /// Step 10: evidence that the block was lifted.
        UnblockRecord => "unblock_record", "Bukti Pembukaan Blokir", "Unblock record";
        /// Step 10: the ticket's whole file.
        Dossier => "dossier", "Berkas Tiket", "Ticket dossier";
        /// After closing: thanks to the reporter.
        Certificate => "certificate", "Sertifikat Apresiasi", "Certificate of appreciation";
        /// The figures of a month, quarter or year for leadership; of no ticket.
        PeriodReport => "period_report", "Laporan Penanganan Insiden Siber",
            "Cyber incident handling report";
        /// UU PDP Pasal 46: the agency's notice of a personal data breach to the data subjects.
        PdpNoticeSubjects => "pdp_notice_subjects",
            "Pemberitahuan Kegagalan Pelindungan Data Pribadi kepada Subjek Data",
            "Personal data breach notice to the data subjects";
        /// UU PDP Pasal 46: the agency's notice of a personal data breach to the authority.
        PdpNoticeAuthority => "pdp_notice_authority",
            "Pemberitahuan Kegagalan Pelindungan Data Pribadi kepada Lembaga",
            "Personal data breach notice to the authority";
        /// Peraturan BSSN 1/2024: the report of a high-risk incident to the sectoral CSIRT.
        SectoralReport => "sectoral_report",
            "Laporan Insiden Siber kepada CSIRT Sektoral",
            "Cyber incident report to the sectoral CSIRT";
        /// Retention: the record of a run that anonymised or destroyed data; of no ticket.
        DestructionRecord => "destruction_record", "Berita Acara Pemusnahan Data",
            "Record of data destruction";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks, for one vocabulary, that serde, `as_str`, `Display` and `FromStr` agree.
    fn assert_spelt_consistently<T>(all: &[T])
    where
        T: Copy + fmt::Display + FromStr<Err = UnknownValue> + Serialize + PartialEq + fmt::Debug,
        T: for<'de> Deserialize<'de>,
    {
        for &value in all {
            let name = value.to_string();
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json, serde_json::Value::String(name.clone()), "{value:?}");
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), value);
            assert_eq!(name.parse::<T>().unwrap(), value);
            assert_eq!(
                format!(" {} ", name.to_uppercase()).parse::<T>().unwrap(),
                value
            );
        }
    }

    #[test]
    fn every_vocabulary_is_spelt_the_same_by_serde_display_and_from_str() {
        assert_spelt_consistently(Role::ALL);
        assert_spelt_consistently(State::ALL);
        assert_spelt_consistently(Action::ALL);
        assert_spelt_consistently(Severity::ALL);
        assert_spelt_consistently(Criticality::ALL);
        assert_spelt_consistently(Visibility::ALL);
        assert_spelt_consistently(Recommendation::ALL);
        assert_spelt_consistently(Party::ALL);
        assert_spelt_consistently(Channel::ALL);
        assert_spelt_consistently(ValidationMethod::ALL);
        assert_spelt_consistently(DocumentKind::ALL);
    }

    #[test]
    fn names_that_need_an_underscore_are_snake_case() {
        assert_eq!(State::AwaitingBlock.as_str(), "awaiting_block");
        assert_eq!(Channel::WalkIn.as_str(), "walk_in");
        assert_eq!(Action::ApproveReactivation.as_str(), "approve_reactivation");
        assert_eq!(DocumentKind::LetterFollowUp.as_str(), "letter_follow_up");
        assert_eq!(Role::ALL.len(), 7);
        assert_eq!(State::ALL.len(), 12);
        assert_eq!(Action::ALL.len(), 14);
        assert_eq!(DocumentKind::ALL.len(), 18);
        assert_eq!(DocumentKind::PeriodReport.as_str(), "period_report");
        assert_eq!(
            DocumentKind::PdpNoticeSubjects.as_str(),
            "pdp_notice_subjects"
        );
    }

    #[test]
    fn unknown_value_lists_what_would_have_been_accepted() {
        let error = "urgent".parse::<Criticality>().unwrap_err();
        assert_eq!(error.value, "urgent");
        assert_eq!(
            error.to_string(),
            "unknown value `urgent`; expected one of: high, low"
        );
        assert!("".parse::<Role>().is_err());
        assert!("walk in".parse::<Channel>().is_err());
    }

    #[test]
    fn terminal_states_have_no_step_and_the_others_follow_the_sop() {
        let terminal: Vec<State> = State::ALL
            .iter()
            .copied()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, [State::Closed, State::Rejected, State::Duplicate]);
        let steps: Vec<Option<u8>> = State::ALL.iter().map(|s| s.sop_step()).collect();
        let expected = [3, 4, 5, 6, 7, 8, 9].map(Some).into_iter();
        let expected: Vec<Option<u8>> =
            expected.chain([None, Some(10), None, None, None]).collect();
        assert_eq!(steps, expected);
    }

    #[test]
    fn reporter_labels_are_plain_indonesian() {
        assert_eq!(State::Queued.label_id(), "Menunggu validasi");
        assert_eq!(
            State::Remediating.label_id(),
            "Dalam perbaikan oleh perangkat daerah"
        );
        assert_eq!(State::Closed.label_id(), "Selesai");
        assert_eq!(State::Rejected.label_id(), "Ditolak (laporan tidak valid)");
        assert_eq!(State::Duplicate.label_id(), "Duplikat laporan lain");
        assert_eq!(State::Closed.label_en(), "Closed");
    }

    #[test]
    fn only_comment_attach_assign_and_unblock_keep_the_state() {
        let keeping: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| !a.changes_state())
            .collect();
        assert_eq!(
            keeping,
            [
                Action::Unblock,
                Action::Comment,
                Action::Attach,
                Action::Assign
            ]
        );
    }
}
