//! Replies that find their ticket. A received message is matched to a ticket by the
//! Message-IDs it answers (`In-Reply-To`, `References`) among those sigap sent, then by the
//! keyed tag of the address it was sent to (`csirt+bcsirt-2026-00001.k7f3qx2a@…`), then by
//! the ticket number in its subject together with a sender the ticket knows. The sender
//! must then be one the ticket knows: its reporter, its agency (the official address or a
//! system owner of it) or a staff member. Such a reply is added to the ticket: the
//! reporter's as a reporter message with its files as evidence, the agency's as a comment
//! the agency and staff read, a staff member's as a comment whose readers the address it
//! answered chooses. Anything else that names a ticket, a stranger's mail with a copied
//! `In-Reply-To` included, or a known sender's whose domain failed DMARC at the mail server
//! (a forged `From`), waits in the inbox marked unverified, and nothing of the ticket is
//! said to its sender. A closed ticket takes the reply and stays closed; the CSIRT is
//! told.

use serde_json::json;
use sigap_core::{Author, Role, TicketNumber, Visibility};
use sigap_store::{NewAuditEntry, NewComment, NewEvidence, TicketRow, Tx};

use crate::inbox::read::ReadMail;
use crate::outbox::notify::{MailJob, MailKind};
use crate::outbox::threads::{Audience, read_reply_address};
use crate::{App, AppResult};

/// Who wrote a reply, as the ticket knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sender {
    Reporter,
    /// The agency: a system owner (`Some`) or its official address (`None`).
    Agency(Option<i64>),
    Staff(i64),
}

/// A ticket a message names, and whether its sender is one the ticket knows.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub row: TicketRow,
    /// The party whose thread it answers, when its Message-ID or address says.
    pub audience: Option<Audience>,
    pub sender: Option<Sender>,
}

/// The ticket `mail` answers, if it names one (see the module's documentation).
pub(crate) async fn find(
    app: &App,
    mail: &ReadMail,
    recipients: &[String],
) -> AppResult<Option<Found>> {
    for id in &mail.answers {
        if let Some(sent) = app.store.find_mail_message(id).await? {
            let audience = Audience::parse(&sent.audience);
            return found(app, &sent.number, audience, mail).await;
        }
    }
    for to in recipients {
        if let Some(tagged) = read_reply_address(app, to) {
            return found(app, tagged.number.as_str(), Some(tagged.audience), mail).await;
        }
    }
    let Some(number) = subject_number(&mail.subject, &app.rules.ticket_prefix) else {
        return Ok(None);
    };
    // By the subject alone only a sender the ticket knows counts: anyone can write a
    // ticket number.
    Ok(found(app, number.as_str(), None, mail)
        .await?
        .filter(|f| f.sender.is_some()))
}

async fn found(
    app: &App,
    number: &str,
    audience: Option<Audience>,
    mail: &ReadMail,
) -> AppResult<Option<Found>> {
    let Some(row) = app.store.get_ticket(number).await? else {
        return Ok(None);
    };
    let sender = match mail.from_address.as_deref() {
        Some(from) => sender(app, &row, from).await?,
        None => None,
    };
    Ok(Some(Found {
        row,
        audience,
        sender,
    }))
}

/// The first `[PREFIX-YYYY-NNNNN]` (or the number alone) in a subject.
fn subject_number(subject: &str, prefix: &str) -> Option<TicketNumber> {
    let upper = subject.to_ascii_uppercase();
    let start = format!("{}-", prefix.to_ascii_uppercase());
    let mut rest = upper.as_str();
    while let Some(at) = rest.find(&start) {
        let candidate: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if let Ok(number) = TicketNumber::parse(&candidate) {
            return Some(number);
        }
        rest = &rest[at + start.len()..];
    }
    None
}

/// Who `from` is to the ticket `row`.
async fn sender(app: &App, row: &TicketRow, from: &str) -> AppResult<Option<Sender>> {
    let same = |a: &str| a.trim().eq_ignore_ascii_case(from.trim());
    if same(&row.reporter_email) {
        return Ok(Some(Sender::Reporter));
    }
    let users = app.store.list_users().await?;
    if let Some(user) = users.iter().find(|u| !u.disabled && same(&u.email)) {
        return Ok(match user.role {
            Role::SystemOwner if user.agency_id.is_some() && user.agency_id == row.agency_id => {
                Some(Sender::Agency(Some(user.id)))
            }
            Role::SystemOwner => None,
            _ => Some(Sender::Staff(user.id)),
        });
    }
    if let Some(agency) = row.agency_id {
        let agencies = app.store.list_agencies(Some(agency)).await?;
        if agencies
            .iter()
            .any(|a| a.email.as_deref().is_some_and(same))
        {
            return Ok(Some(Sender::Agency(None)));
        }
    }
    Ok(None)
}

/// The reply without the quoted message it answers: lines quoted with `>`, and everything
/// from the first line a mail client writes above a quotation.
pub(crate) fn reply_text(text: &str) -> String {
    let mut kept = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let opens_quote = (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("pada ") && lower.ends_with("menulis:"))
            || lower.starts_with("-----original message")
            || lower.starts_with("-----pesan asli")
            || trimmed.starts_with("________________________________");
        if opens_quote {
            break;
        }
        if !trimmed.starts_with('>') {
            kept.push(line);
        }
    }
    kept.join("\n").trim().to_owned()
}

/// The files of a reply, stored as the message's attachments were.
pub(crate) struct ReplyFile<'a> {
    pub sha256: &'a str,
    pub name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
}

/// Adds the reply of `found.sender` to its ticket, inside the transaction that keeps the
/// message `inbound_id`; tells the assignee, or the CSIRT when there is none or the ticket
/// is closed.
pub(crate) async fn post(
    tx: &mut Tx,
    app: &App,
    found: &Found,
    mail: &ReadMail,
    files: &[ReplyFile<'_>],
    inbound_id: i64,
    now: i64,
) -> AppResult<()> {
    let Some(sender) = &found.sender else {
        return Ok(());
    };
    // The ticket as it is now (its state may have moved since the message was read).
    let row = tx
        .lock_ticket(&found.row.number)
        .await?
        .unwrap_or_else(|| found.row.clone());
    let found = &Found {
        row,
        audience: found.audience,
        sender: found.sender.clone(),
    };
    let row = &found.row;
    let (author_kind, author_id, visibility) = match sender {
        Sender::Reporter => (Author::Reporter, None, Visibility::Reporter),
        Sender::Agency(user) => (Author::Staff, *user, Visibility::Agency),
        Sender::Staff(user) => (Author::Staff, Some(*user), staff_visibility(found.audience)),
    };
    let mut body = reply_text(&mail.text);
    if let (Sender::Agency(None), Some(from)) = (sender, mail.from_address.as_deref()) {
        body = format!("[Surel dari {from}]\n\n{body}");
    }
    if body.is_empty() {
        body = "(balasan surel tanpa teks / a reply without text)".to_owned();
    }
    let body: String = body.chars().take(sigap_core::report::MAX_POC).collect();
    let comment_id = tx
        .insert_comment(&NewComment {
            ticket_id: row.id,
            author_id,
            author_kind,
            visibility: visibility.as_str(),
            body: &body,
            now,
        })
        .await?;
    // Files come with the reporter's and the users' replies; the agency's official address
    // is nobody the files could be named after, so its files stay in the kept message.
    let uploader = match sender {
        Sender::Agency(None) => return finish(tx, app, found, inbound_id, 0, now).await,
        Sender::Reporter => None,
        Sender::Agency(Some(user)) | Sender::Staff(user) => Some(*user),
    };
    for f in files {
        tx.insert_evidence(&NewEvidence {
            ticket_id: row.id,
            step_record_id: None,
            comment_id: Some(comment_id),
            sha256: f.sha256,
            original_name: f.name,
            media_type: f.media_type,
            size: f.size,
            uploaded_by: uploader,
            now,
        })
        .await?;
    }
    finish(tx, app, found, inbound_id, files.len(), now).await
}

/// The readers of a staff member's reply: those of the thread it answered.
fn staff_visibility(audience: Option<Audience>) -> Visibility {
    match audience {
        Some(Audience::Reporter) => Visibility::Reporter,
        Some(Audience::Agency) => Visibility::Agency,
        _ => Visibility::Internal,
    }
}

/// The audit entry of a posted reply and the mail that tells of it.
async fn finish(
    tx: &mut Tx,
    app: &App,
    found: &Found,
    inbound_id: i64,
    files: usize,
    now: i64,
) -> AppResult<()> {
    let row = &found.row;
    let from_agency = matches!(found.sender, Some(Sender::Agency(_)));
    let closed = row.state.is_terminal();
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: "mail".to_owned(),
        role: "system".to_owned(),
        action: "mail_reply".to_owned(),
        ticket_number: Some(row.number.clone()),
        source: None,
        outcome: "ok".to_owned(),
        details: json!({
            "inbound_id": inbound_id,
            "from": match found.sender {
                Some(Sender::Reporter) => "reporter",
                Some(Sender::Agency(_)) => "agency",
                _ => "staff",
            },
            "files": files,
            "closed": closed,
        }),
    })
    .await?;
    if matches!(found.sender, Some(Sender::Staff(_))) {
        return Ok(());
    }
    let kind = MailKind::MailReply {
        from_agency,
        closed,
    };
    let mut job = MailJob::new(row, Vec::new(), "id", kind);
    match row.assignee_email.clone().filter(|_| !closed) {
        Some(assignee) => job.to = vec![assignee],
        None => job.to_roles = vec![Role::Csirt],
    }
    crate::outbox::notify::enqueue(app, tx, row.id, &job, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quoted_message_is_left_out() {
        let text = "Sudah kami perbaiki.\nTerima kasih.\n\n> Yth. Bapak/Ibu,\n> quoted\n\
                    Pada Sen, 10 Agu 2026 pukul 09.00 BATAM-CSIRT menulis:\nold text";
        assert_eq!(reply_text(text), "Sudah kami perbaiki.\nTerima kasih.");
        let outlook = "Fixed.\n________________________________\nFrom: BATAM-CSIRT";
        assert_eq!(reply_text(outlook), "Fixed.");
    }

    #[test]
    fn the_number_is_read_from_the_subject() {
        let n = subject_number(
            "Re: [TLP:AMBER] [bcsirt-2026-00042] Pemberitahuan",
            "BCSIRT",
        );
        assert_eq!(
            n.map(|n| n.to_string()).as_deref(),
            Some("BCSIRT-2026-00042")
        );
        assert!(subject_number("Re: BCSIRT-20x6 nothing", "BCSIRT").is_none());
        assert!(subject_number("Re: hello", "BCSIRT").is_none());
    }
}
