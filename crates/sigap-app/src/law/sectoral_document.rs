//! The report of Peraturan BSSN 1/2024 itself: sigap prepares it from the ticket, as a
//! document (`sectoral_report`, numbered in the reports' agenda, the ticket's TLP label)
//! and as the STIX 2.1 bundle that goes with it, named in the document by its SHA-256 and
//! kept in the blob store, so that what was sent can be shown as it was.
//!
//! - [`issue_report`]: the CSIRT prepares it, adding to whom and its own words on the
//!   impact and the handling; prepared again before the sending is recorded, the new one
//!   replaces the old (printed as a correction of its number); once sent, it is closed.
//! - It carries what the regulation asks for: the reporter's contact, or "Anonim" when the
//!   reporter did not agree to be named; the description; the chronology; the impact; the
//!   handling so far. It names the reporter, so it is read only by those who may know the
//!   reporter (`documents::reading`): never by the agency's system owners.
//! - [`bundle`]: the bundle as issued, to those who see the ticket (it holds nothing of the
//!   reporter, like every STIX export).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::bssn::{self, Reason};
use sigap_core::{Action, Criticality, Role};
use sigap_naskah::Body;
use sigap_naskah::body::{BundleRef, SectoralReport, SystemRef};
use sigap_store::{SectoralReportRow, StepRecordRow, TicketRow};

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::documents::bodies::timeline_of;
use crate::exports::{Csirt, Export, Finding, Format, audit_ok, stix};
use crate::views::DocumentView;
use crate::workflow::personal_data::entry;
use crate::{App, AppError, AppResult, from_millis};

/// Who prepares the report: the CSIRT, which reports upward.
const PREPARE: &[Role] = &[Role::Csirt, Role::Admin];

/// Prepares the report of ticket `number` to the sectoral CSIRT (`addressee`, `impact`,
/// `handling`, each optional): numbered, rendered and kept with its bundle in one
/// transaction with its audit entry.
pub async fn issue_report(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<DocumentView> {
    let result = try_issue(app, caller, number, body).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "sectoral_report_issue", e, None)
            .await;
    }
    result
}

async fn try_issue(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<DocumentView> {
    caller.require(PREPARE, "prepare the report to the sectoral CSIRT")?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let text = bssn::read_report_text(body).map_err(AppError::Invalid)?;
    let policy = app.policy().await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = tx
        .lock_ticket(&row.number)
        .await?
        .ok_or_else(|| AppError::NotFound("ticket".to_owned()))?;
    let report = tx
        .get_sectoral_report(row.id)
        .await?
        .ok_or_else(|| AppError::NotFound("report to the sectoral CSIRT".to_owned()))?;
    if report.sent_at.is_some() {
        return Err(AppError::Conflict(
            "the report is recorded as sent; what was sent stays as it was".to_owned(),
        ));
    }
    let replaces = match report.document_id {
        Some(id) => tx.get_document(id).await?.map(|d| (d.id, d.number)),
        None => None,
    };
    let bundle = made_bundle(app, &row, now).await?;
    let steps = tx.list_step_records(row.id).await?;
    let content = Content {
        row: &row,
        report: &report,
        steps: &steps,
        text,
    };
    let doc = crate::documents::outside_step::issue(
        app,
        &policy,
        &mut tx,
        &row,
        caller,
        content.body(&bundle),
        now,
        replaces,
    )
    .await?;
    tx.set_sectoral_document(row.id, doc.id, &bundle.sha256)
        .await?;
    let details = json!({
        "documents": [{"kind": doc.kind, "number": doc.number, "sha256": doc.sha256}],
        "bundle": {"name": bundle.name, "sha256": bundle.sha256},
    });
    tx.append_audit(&entry(caller, &row, "issue_document", now, details))
        .await?;
    tx.commit().await?;
    Ok(crate::documents::document_view(doc))
}

/// The STIX 2.1 bundle of ticket `row` at `now`, stored in the blob store.
async fn made_bundle(app: &App, row: &TicketRow, now: DateTime<Utc>) -> AppResult<BundleRef> {
    let bundle = stix::bundle(
        std::slice::from_ref(&Finding::of(row)),
        &Csirt::of(app),
        now,
    );
    let bytes = serde_json::to_vec_pretty(&bundle)
        .map_err(|e| AppError::Internal(format!("bundle: {e}")))?;
    let sha256 = app.blobs.put(&bytes).await?;
    Ok(BundleRef {
        name: format!("{}.stix.json", row.number),
        format: "STIX 2.1".to_owned(),
        sha256,
    })
}

/// The bundle issued with the latest report of ticket `number`, as it was issued; audited.
pub async fn bundle(
    app: &App,
    caller: &Caller,
    number: &str,
    source: Option<String>,
) -> AppResult<Export> {
    let result = try_bundle(app, caller, number, source.clone()).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "sectoral_bundle", e, source).await;
    }
    result
}

async fn try_bundle(
    app: &App,
    caller: &Caller,
    number: &str,
    source: Option<String>,
) -> AppResult<Export> {
    let (row, _) = visible_ticket(app, caller, number).await?;
    let sha256 = app
        .store
        .get_sectoral_report(row.id)
        .await?
        .and_then(|r| r.bundle_sha256)
        .ok_or_else(|| AppError::NotFound("report's bundle".to_owned()))?;
    let bytes = app
        .blobs
        .get(&sha256)
        .await?
        .ok_or_else(|| AppError::Internal(format!("the bundle {sha256} is missing")))?;
    let details = json!({"sha256": sha256});
    audit_ok(
        app,
        caller,
        source,
        "sectoral_bundle",
        Some(row.number.clone()),
        details,
    )
    .await?;
    Ok(Export {
        name: format!("{}.stix.json", row.number),
        media_type: Format::Stix.media_type(),
        bytes,
        sha256,
    })
}

/// What the report is built from.
struct Content<'a> {
    row: &'a TicketRow,
    report: &'a SectoralReportRow,
    steps: &'a [StepRecordRow],
    text: bssn::ReportText,
}

impl Content<'_> {
    fn body(self, bundle: &BundleRef) -> Body {
        let row = self.row;
        Body::SectoralReport(SectoralReport {
            addressee: self.text.addressee.clone(),
            copy_to: vec![bssn::NATIONAL_CSIRT.to_owned()],
            reporter: reporter(row),
            system: SystemRef {
                name: row.system_name.clone().unwrap_or_else(|| "-".to_owned()),
                url: row.target_url.clone(),
                agency: row.agency_name.clone().unwrap_or_else(|| "-".to_owned()),
            },
            system_category: row.system_category.as_deref().map(category_label),
            iiv: row.system_iiv,
            reasons: self
                .reasons()
                .iter()
                .map(|r| r.label_id().to_owned())
                .collect(),
            reported_at: from_millis(row.created_at),
            flagged_at: from_millis(self.report.started_at),
            due_at: from_millis(self.report.due_at),
            description: self.description(),
            chronology: timeline_of(row, self.steps),
            impact: self.impact(),
            handling: self.handling(),
            bundle: bundle.clone(),
        })
    }

    fn reasons(&self) -> Vec<Reason> {
        self.report
            .reasons
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect()
    }

    fn step(&self, action: Action) -> Option<&StepRecordRow> {
        self.steps.iter().rev().find(|s| s.action == action)
    }

    /// The CSIRT's summary told to the agency when it was told, else the report's title;
    /// then the class, the score and the level.
    fn description(&self) -> Vec<String> {
        let row = self.row;
        let summary = self
            .step(Action::NotifyAgency)
            .and_then(|s| serde_json::from_str::<Value>(&s.records).ok())
            .and_then(|r| r.get("summary").and_then(Value::as_str).map(str::to_owned))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| row.title.clone());
        let mut facts = format!("Jenis kerentanan: {}", row.vulnerability_type);
        if let (Some(vector), Some(score)) = (&row.cvss_vector, row.cvss_score) {
            let score = format!("{score:.1}").replace('.', ",");
            facts.push_str(&format!("; skor CVSS {score} ({vector})"));
        }
        if let Some(level) = row.criticality {
            facts.push_str(&format!(
                "; tingkat kekritisan menurut SOP: {}",
                level.label_id()
            ));
        }
        vec![summary, format!("{facts}.")]
    }

    fn impact(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.push(match self.row.criticality {
            Some(Criticality::High) => "Kerentanan dapat dimanfaatkan untuk mengganggu layanan \
                                        atau mengakses data tanpa hak."
                .to_owned(),
            _ => "Kerentanan perlu diperbaiki; layanan tetap beroperasi.".to_owned(),
        });
        let reasons = self.reasons();
        if reasons.contains(&Reason::PersonalData) {
            out.push(
                "Data pribadi terdampak: pengendali data pribadi wajib memberitahu subjek data \
                 pribadi dan lembaga paling lambat 3×24 jam (Undang-Undang Nomor 27 Tahun 2022 \
                 Pasal 46)."
                    .to_owned(),
            );
        }
        if reasons.contains(&Reason::Iiv) {
            out.push("Sistem Elektronik termasuk Infrastruktur Informasi Vital.".to_owned());
        }
        out.extend(
            self.text
                .impact
                .as_deref()
                .map(paragraphs)
                .unwrap_or_default(),
        );
        out
    }

    /// The SOP's steps taken so far, then the CSIRT's words.
    fn handling(&self) -> Vec<String> {
        let agency = self
            .row
            .agency_name
            .as_deref()
            .unwrap_or("Perangkat Daerah");
        let done = [
            (Action::Validate, "Laporan divalidasi oleh BATAM-CSIRT pada"),
            (Action::Assess, "Tingkat kekritisan dinilai pada"),
            (Action::Block, "Sistem Elektronik diblokir sementara sejak"),
            (
                Action::NotifyAgency,
                "Laporan dan Surat Pemberitahuan disampaikan kepada",
            ),
            (Action::SubmitRemediation, "Hasil perbaikan dilaporkan pada"),
            (Action::Unblock, "Blokir dibuka pada"),
        ];
        let mut out: Vec<String> = done
            .iter()
            .filter_map(|&(action, words)| {
                let at = when(self.step(action)?.done_at);
                Some(if action == Action::NotifyAgency {
                    format!("{words} {agency} pada {at}.")
                } else {
                    format!("{words} {at}.")
                })
            })
            .collect();
        out.extend(
            self.text
                .handling
                .as_deref()
                .map(paragraphs)
                .unwrap_or_default(),
        );
        out
    }
}

/// The reporter as the report names them: name and contact when they agreed to be named,
/// else "Anonim".
fn reporter(row: &TicketRow) -> Vec<String> {
    if row.credit != "name" {
        return vec!["Anonim (pelapor tidak bersedia disebutkan identitasnya)".to_owned()];
    }
    let mut lines = vec![row.reporter_name.clone()];
    if !row.reporter_email.trim().is_empty() {
        lines.push(format!("Surel: {}", row.reporter_email));
    }
    if let Some(phone) = row
        .reporter_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        lines.push(format!("Telepon: {phone}"));
    }
    lines
}

/// `strategis` as the SPBE rules write it: `Strategis`.
fn category_label(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn when(ms: i64) -> String {
    sigap_core::calendar::format_moment_id(from_millis(ms))
}

/// A text's paragraphs: its blank-line-separated parts, each on one line.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}
