//! The notices of UU PDP Pasal 46 as official documents: sigap drafts each (to the data
//! subjects, to the authority) from the ticket with the three contents Pasal 46 ayat (2)
//! asks for, the agency edits the draft in the portal ([`save_draft`]) and issues it
//! ([`issue`]): numbered in its kind's agenda, TLP-labelled (the notice to the data
//! subjects is meant for the public: `TLP:CLEAR`; the one to the authority keeps the
//! ticket's label), kept with the ticket's documents. Recording that it was sent is
//! `personal_data::record_notice`; `documents::outside_step` issues them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sigap_core::pdp::{self, NoticeDraft, NoticeRecipient};
use sigap_core::{Role, Tlp};
use sigap_naskah::Body;
use sigap_naskah::body::{PdpNotice, SystemRef};
use sigap_store::{BreachDraftRow, BreachRow, NewBreachDraft, TicketRow};
use utoipa::ToSchema;

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::views::DocumentView;
use crate::workflow::personal_data::entry;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Who may edit and issue the notices: the agency's system owners, and the CSIRT on their
/// behalf.
const EDIT: &[Role] = &[Role::SystemOwner, Role::Csirt, Role::Admin];

/// A notice's draft as the portal shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeDraftView {
    /// `subjects` or `authority`.
    #[schema(value_type = String)]
    pub recipient: NoticeRecipient,
    pub recipient_label: String,
    /// The text: saved by the agency, or sigap's first draft.
    pub draft: NoticeDraft,
    /// Whether the agency saved it (a first draft is never issued as it is).
    pub saved: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The document issued from it, once issued.
    pub issued: Option<DocumentView>,
}

/// The draft of the notice to `recipient` on ticket `number`.
pub async fn draft(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
) -> AppResult<NoticeDraftView> {
    let (row, breach, recipient) = open(app, caller, number, recipient).await?;
    let saved = app
        .store
        .get_breach_draft(row.id, recipient.as_str())
        .await?;
    view(app, caller, &row, &breach, recipient, saved).await
}

/// The drafts of both notices of ticket `number`, for the ticket page; none when the
/// ticket has no clock or the caller may not edit them.
pub async fn drafts(app: &App, caller: &Caller, number: &str) -> AppResult<Vec<NoticeDraftView>> {
    if !EDIT.contains(&caller.role) {
        return Ok(Vec::new());
    }
    let (row, _) = visible_ticket(app, caller, number).await?;
    let Some(breach) = app.store.get_breach(row.id).await? else {
        return Ok(Vec::new());
    };
    let mut views = Vec::new();
    for &recipient in NoticeRecipient::ALL {
        let saved = app
            .store
            .get_breach_draft(row.id, recipient.as_str())
            .await?;
        views.push(view(app, caller, &row, &breach, recipient, saved).await?);
    }
    Ok(views)
}

/// Saves the agency's text of the notice to `recipient` (`data_exposed`, `when_how`,
/// `handling`, `contact`); every bad field at once. An issued notice is not changed.
pub async fn save_draft(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
    body: &Value,
) -> AppResult<NoticeDraftView> {
    let result = async {
        let (row, breach, recipient) = open(app, caller, number, recipient).await?;
        let draft = pdp::read_draft(body).map_err(AppError::Invalid)?;
        let now = app.now();
        let mut tx = app.store.begin().await?;
        if issued(&mut tx, &row, recipient).await?.is_some() {
            return Err(AppError::Conflict(
                "this notice is issued already; its draft is closed".to_owned(),
            ));
        }
        tx.save_breach_draft(&NewBreachDraft {
            ticket_id: row.id,
            recipient: recipient.as_str(),
            data_exposed: &draft.data_exposed,
            when_how: &draft.when_how,
            handling: &draft.handling,
            contact: draft.contact.as_deref(),
            updated_by: &caller.name,
            updated_at: millis(now),
        })
        .await?;
        let details = json!({"recipient": recipient});
        tx.append_audit(&entry(caller, &row, "personal_data_draft", now, details))
            .await?;
        tx.commit().await?;
        let saved = app
            .store
            .get_breach_draft(row.id, recipient.as_str())
            .await?;
        view(app, caller, &row, &breach, recipient, saved).await
    }
    .await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "personal_data_draft", e, None).await;
    }
    result
}

/// Issues the notice to `recipient` from its saved draft: once, numbered and rendered in
/// one transaction with its audit entry.
pub async fn issue(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
) -> AppResult<DocumentView> {
    let result = try_issue(app, caller, number, recipient).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "personal_data_issue", e, None).await;
    }
    result
}

async fn try_issue(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
) -> AppResult<DocumentView> {
    let (row, breach, recipient) = open(app, caller, number, recipient).await?;
    let policy = app.policy().await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = tx
        .lock_ticket(&row.number)
        .await?
        .ok_or_else(|| AppError::NotFound("ticket".to_owned()))?;
    if issued(&mut tx, &row, recipient).await?.is_some() {
        return Err(AppError::Conflict(
            "this notice is issued already".to_owned(),
        ));
    }
    let saved = tx
        .get_breach_draft(row.id, recipient.as_str())
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "save the notice's draft first: the agency's own words are issued, not \
                 sigap's first draft"
                    .to_owned(),
            )
        })?;
    let body = body(&row, &breach, recipient, &draft_of(&saved));
    let labelled = TicketRow {
        tlp: if recipient == NoticeRecipient::Subjects {
            Tlp::Clear
        } else {
            row.tlp
        },
        ..row.clone()
    };
    let doc = crate::documents::outside_step::issue(
        app, &policy, &mut tx, &labelled, caller, body, now, None,
    )
    .await?;
    let details = json!({
        "recipient": recipient,
        "documents": [{"kind": doc.kind, "number": doc.number, "sha256": doc.sha256}],
    });
    tx.append_audit(&entry(caller, &row, "issue_document", now, details))
        .await?;
    tx.commit().await?;
    Ok(crate::documents::document_view(doc))
}

/// The ticket, its clock and the recipient named by a path, for a caller who may edit the
/// notices; anything else is refused or not found.
async fn open(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
) -> AppResult<(TicketRow, BreachRow, NoticeRecipient)> {
    caller.require(EDIT, "draft or issue the notices of a personal data breach")?;
    let recipient: NoticeRecipient = recipient
        .parse()
        .map_err(|_| AppError::NotFound("notice".to_owned()))?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let breach = app
        .store
        .get_breach(row.id)
        .await?
        .ok_or_else(|| AppError::NotFound("personal data breach".to_owned()))?;
    Ok((row, breach, recipient))
}

async fn issued(
    tx: &mut sigap_store::Tx,
    row: &TicketRow,
    recipient: NoticeRecipient,
) -> AppResult<Option<sigap_store::DocumentRow>> {
    let kind = recipient.document_kind();
    Ok(tx
        .list_documents(row.id)
        .await?
        .into_iter()
        .find(|d| d.kind == kind))
}

async fn view(
    app: &App,
    caller: &Caller,
    row: &TicketRow,
    breach: &BreachRow,
    recipient: NoticeRecipient,
    saved: Option<BreachDraftRow>,
) -> AppResult<NoticeDraftView> {
    let kind = recipient.document_kind();
    let issued = crate::documents::list_for_ticket(app, caller.role, row.id)
        .await?
        .into_iter()
        .find(|d| d.kind == kind);
    Ok(NoticeDraftView {
        recipient,
        recipient_label: recipient.label_id().to_owned(),
        draft: saved
            .as_ref()
            .map_or_else(|| first_draft(row, breach), draft_of),
        saved: saved.is_some(),
        updated_by: saved.as_ref().map(|s| s.updated_by.clone()),
        updated_at: saved.as_ref().map(|s| from_millis(s.updated_at)),
        issued,
    })
}

fn draft_of(saved: &BreachDraftRow) -> NoticeDraft {
    NoticeDraft {
        data_exposed: saved.data_exposed.clone(),
        when_how: saved.when_how.clone(),
        handling: saved.handling.clone(),
        contact: saved.contact.clone(),
    }
}

/// sigap's first draft, from what the ticket knows; the brackets ask the agency for what
/// only it knows. Nothing of the reporter's text.
fn first_draft(row: &TicketRow, breach: &BreachRow) -> NoticeDraft {
    let system = system_name(row);
    let date = |ms: i64| sigap_core::calendar::format_moment_id(from_millis(ms));
    let received = date(row.created_at);
    let recorded = date(breach.started_at);
    NoticeDraft {
        data_exposed: format!(
            "Data pribadi yang tersimpan pada Sistem Elektronik {system}, yaitu: [sebutkan \
             jenis data pribadi yang terungkap, misalnya nama, NIK, alamat, nomor telepon, \
             serta perkiraan jumlah subjek data pribadi]."
        ),
        when_how: format!(
            "Pada {received} BATAM-CSIRT menerima laporan kerentanan keamanan pada Sistem \
             Elektronik {system}. Penilaian tingkat kekritisan pada {recorded} menyimpulkan \
             bahwa data pribadi terdampak.\n\n[Uraikan sejak kapan data pribadi dapat diakses \
             pihak yang tidak berhak dan bagaimana data tersebut terungkap.]"
        ),
        handling: "Kerentanan ditangani sesuai rekomendasi BATAM-CSIRT dan Standar \
                   Operasional Prosedur Penanganan Insiden Siber.\n\n[Uraikan langkah \
                   penanganan dan pemulihan yang telah dilakukan, serta langkah yang dapat \
                   dilakukan subjek data pribadi, misalnya mengganti kata sandi.]"
            .to_owned(),
        contact: None,
    }
}

fn system_name(row: &TicketRow) -> String {
    row.system_name
        .clone()
        .unwrap_or_else(|| row.target_host.clone())
}

/// The document's sections from the agency's text, a paragraph per blank-line-separated
/// part.
fn body(
    row: &TicketRow,
    breach: &BreachRow,
    recipient: NoticeRecipient,
    draft: &NoticeDraft,
) -> Body {
    let paragraphs = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    };
    let system = system_name(row);
    let notice = PdpNotice {
        addressee: match recipient {
            NoticeRecipient::Subjects => {
                format!("Para Pengguna Layanan {system} (Subjek Data Pribadi)")
            }
            NoticeRecipient::Authority => "Kepala Lembaga Pelindungan Data Pribadi".to_owned(),
        },
        system: SystemRef {
            name: system,
            url: row.target_url.clone(),
            agency: row.agency_name.clone().unwrap_or_default(),
        },
        recorded_at: from_millis(breach.started_at),
        data_exposed: paragraphs(&draft.data_exposed),
        when_how: paragraphs(&draft.when_how),
        handling: paragraphs(&draft.handling),
        contact: draft.contact.clone(),
    };
    match recipient {
        NoticeRecipient::Subjects => Body::PdpNoticeSubjects(notice),
        NoticeRecipient::Authority => Body::PdpNoticeAuthority(notice),
    }
}
