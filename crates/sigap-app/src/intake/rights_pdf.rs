//! The reporter's data as a PDF to keep ([`export_pdf`]): the same as the JSON download of
//! [`super::rights::export`], laid out under the CSIRT's letterhead with the ticket's TLP
//! label (`sigap_naskah::ReporterCopy`). Not an official document and not kept: it is made
//! anew at each request, recorded and audited as an export.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sigap_core::Severity;
use sigap_core::calendar::format_moment_id;
use sigap_core::rights::RightsRequest;
use sigap_naskah::{CopyFile, CopyMessage, CopySection, ReporterCopy};
use sigap_store::TicketRow;

use crate::intake::rights::{DataFile, ReporterData, export_row};
use crate::{App, AppError, AppResult};

/// Everything held about the reporter of ticket `number`, as a PDF; the download is
/// recorded as an export.
pub async fn export_pdf(
    app: &App,
    number: &str,
    token: &str,
    source: Option<String>,
) -> AppResult<DataFile> {
    let (row, data) = export_row(app, number, token, source).await?;
    let policy = app.policy().await?;
    let copy = ReporterCopy {
        ticket_number: data.ticket_number.clone(),
        tlp: row.tlp,
        made_at: app.now(),
        letterhead: policy.documents.letterhead.clone(),
        style: policy.documents.page,
        sections: sections(&row, &data),
        messages: data
            .messages
            .iter()
            .map(|m| CopyMessage {
                at: m.at,
                from: if m.from == "reporter" {
                    "Anda"
                } else {
                    "BATAM-CSIRT"
                }
                .to_owned(),
                body: m.body.clone(),
            })
            .collect(),
        files: data.files.iter().map(file).collect(),
    };
    let bytes = render(app, copy).await?;
    Ok(DataFile {
        name: format!("{}.data-pribadi.pdf", data.ticket_number),
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        bytes,
    })
}

/// Renders off the async threads, within the document render slots.
async fn render(app: &App, copy: ReporterCopy) -> AppResult<Vec<u8>> {
    crate::documents::render_blocking(app, move || {
        sigap_naskah::Renderer::shared().and_then(|r| r.render_copy(&copy))
    })
    .await?
    .map_err(|e| AppError::Internal(format!("reporter data render: {e}")))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn row(label: &str, value: impl Into<String>) -> (String, String) {
    (label.to_owned(), value.into())
}

/// The contact data, the report, the requests and the retention, as labelled rows.
fn sections(ticket: &TicketRow, data: &ReporterData) -> Vec<CopySection> {
    let credit = match data.credit.as_str() {
        "name" => "Dengan nama".to_owned(),
        "alias" => format!(
            "Dengan alias: {}",
            data.credit_alias.clone().unwrap_or_default()
        ),
        _ => "Anonim".to_owned(),
    };
    let r = &data.report;
    let severity = Severity::from_str(r["severity"].as_str().unwrap_or_default())
        .map(|s| s.label_id().to_owned())
        .unwrap_or_default();
    let kept = match data.contact_kept_until {
        Some(until) => format!("hingga {}", format_moment_id(until)),
        None => "selama tiket berjalan, lalu sesuai masa retensi sejak tiket ditutup".to_owned(),
    };
    vec![
        CopySection {
            title: "Data kontak".to_owned(),
            rows: vec![
                row("Nama", data.reporter_name.clone()),
                row("Surel", data.reporter_email.clone()),
                row("Telepon", data.reporter_phone.clone().unwrap_or_default()),
                row("Penyebutan dalam ucapan terima kasih", credit),
                row("Data kontak disimpan", kept),
            ],
        },
        CopySection {
            title: "Laporan".to_owned(),
            rows: vec![
                row("Nomor tiket", ticket.number.clone()),
                row("Dikirim pada", format_moment_id(data.submitted_at)),
                row("Tahap saat ini", data.state_label.clone()),
                row("Judul", text(&r["title"])),
                row("Sasaran", text(&r["target"])),
                row("Jenis kerentanan", text(&r["vulnerability_type"])),
                row("Tingkat keparahan", severity),
                row("Vektor CVSS", text(&r["cvss_vector"])),
                row("Uraian", text(&r["description"])),
                row("Bukti konsep", text(&r["proof_of_concept"])),
                row("Bukti (teks)", text(&r["evidence_text"])),
            ],
        },
        CopySection {
            title: "Permintaan Anda".to_owned(),
            rows: data.requests.iter().map(request).collect(),
        },
    ]
}

fn at(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.to_utc())
}

fn request(r: &Value) -> (String, String) {
    let label = RightsRequest::from_str(r["kind"].as_str().unwrap_or_default())
        .map(|k| k.label_id().to_owned())
        .unwrap_or_default();
    let mut when = at(&r["requested_at"])
        .map(format_moment_id)
        .unwrap_or_default();
    match at(&r["applied_at"]) {
        Some(done) if Some(done) != at(&r["requested_at"]) => {
            when.push_str(&format!("; dilaksanakan {}", format_moment_id(done)));
        }
        None => when.push_str("; dilaksanakan saat tiket selesai"),
        _ => {}
    }
    (label, when)
}

fn file(f: &Value) -> CopyFile {
    CopyFile {
        name: text(&f["name"]),
        media_type: text(&f["media_type"]),
        size: f["size"].as_u64().unwrap_or(0),
        sha256: text(&f["sha256"]),
    }
}
