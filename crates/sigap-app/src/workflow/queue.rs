//! The staff queue: the tickets within the caller's scope (a system owner's agency's, once
//! told), with filters, the search (a ticket number, the report's words, and who reported
//! for the roles that may know), "Giliran saya" (the tickets whose next SOP step is the
//! caller's), assignment filters, orders, a count, and pages; and the short notices of
//! blocks a system owner gets before the agency is told.

use chrono::NaiveDate;
use serde::Deserialize;
use sigap_core::{Channel, Criticality, Role, State, Turn, Visibility, sees_reporter, turns};
use sigap_store::{
    AssigneeFilter, NumberMatch, QueueSort, TextIndex, TicketFilter, TicketListRow, search_words,
};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::views::*;
use crate::workflow::tickets::deadline;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Filters and paging of the queue.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `all` (the default) or `mine`: the open tickets whose next SOP step is the
    /// caller's ("Giliran saya": for the CSIRT those assigned to them or to no one, for the
    /// help desk the new reports no one is assigned to yet).
    pub view: Option<String>,
    /// Only tickets in this state.
    pub state: Option<String>,
    /// Only tickets of this agency (its code).
    pub agency: Option<String>,
    /// `high` or `low`.
    pub criticality: Option<String>,
    /// Only tickets created on or after this day (`2026-12-01`, in WIB).
    pub from: Option<String>,
    /// Only tickets created on or before this day (`2026-12-31`, in WIB: the whole day).
    pub to: Option<String>,
    /// Only tickets that arrived through this channel: `web`, `api`, `phone`, `email`,
    /// `walk_in` or `letter`.
    pub channel: Option<String>,
    /// Only tickets of this vulnerability class: an OWASP Top 10 (2021) category's key
    /// (`a03_injection`, …, `other`), as the report's type reads (a CWE id or words).
    pub class: Option<String>,
    /// `true`: only open tickets past their step's deadline.
    pub overdue: Option<bool>,
    /// `true`: leave out the tickets that have ended (closed, rejected, duplicate).
    pub open: Option<bool>,
    /// `me`: assigned to the caller; `none`: assigned to no one.
    pub assignee: Option<String>,
    /// `newest` (the default; `deadline` for `view=mine`), `deadline` (nearest first),
    /// `updated` (latest change first) or `criticality` (high first, then by deadline). A
    /// search's results are always newest first.
    pub sort: Option<String>,
    /// Search: a ticket number (`BCSIRT-2026-00005`, or its sequence `00005`/`5`), or words
    /// that each start a word of the title, description, proof of concept or target; for
    /// the roles that may learn who reported (not system owners, not the Regional
    /// Secretary), also words that each start a word of the reporter's name or e-mail
    /// address.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// The queue within the caller's scope, newest first unless sorted otherwise, with the
/// count of tickets its filters select (without a search).
pub async fn list_tickets(app: &App, caller: &Caller, q: &ListQuery) -> AppResult<TicketPage> {
    let now = millis(app.now());
    let Some(filter) = queue_filter(app, caller, q, now).await? else {
        return Ok(TicketPage {
            items: Vec::new(),
            next_cursor: None,
            total: Some(0),
        });
    };
    let query = q.q.as_deref().map(str::trim).unwrap_or("");
    let total = if query.is_empty() {
        Some(app.store.count_queue(&filter).await?)
    } else {
        None
    };
    let rows = search(app, caller, filter.clone(), query).await?;
    let full = rows.len() as i64 == filter.limit;
    let next_cursor = match (full, filter.sort, query.is_empty()) {
        (false, _, _) => None,
        (true, QueueSort::Newest, _) | (true, _, false) => rows.last().map(|r| r.id.to_string()),
        (true, _, true) => Some(format!("o{}", filter.offset + filter.limit)),
    };
    let unread = unread_among(app, caller, &rows).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let fresh = unread.contains(&r.id);
            summary(r, now).map(|s| TicketSummary { unread: fresh, ..s })
        })
        .collect::<AppResult<_>>()?;
    Ok(TicketPage {
        items,
        next_cursor,
        total,
    })
}

/// What an export of the queue selects: the filter of a query within the caller's scope,
/// read and checked once, then walked newest first a batch at a time by keyset (the ticket
/// id), so that no batch costs more than the first and none is held after it is written.
#[derive(Debug, Clone)]
pub struct Selection {
    caller: Caller,
    /// `None`: nothing (an agency outside the caller's scope).
    filter: Option<TicketFilter>,
    query: String,
}

impl Selection {
    /// What `q` selects for `caller`, as [`list_tickets`] would list it, its filters checked
    /// (every wrong one named); its order, cursor and page size do not apply.
    pub async fn of(app: &App, caller: &Caller, q: &ListQuery) -> AppResult<Selection> {
        let plain = ListQuery {
            sort: None,
            cursor: None,
            limit: None,
            ..q.clone()
        };
        let now = millis(app.now());
        let filter = queue_filter(app, caller, &plain, now).await?;
        Ok(Selection {
            caller: caller.clone(),
            filter: filter.map(|f| TicketFilter {
                sort: QueueSort::Newest,
                ..f
            }),
            query: q.q.as_deref().map(str::trim).unwrap_or("").to_owned(),
        })
    }

    /// Up to `size` tickets of the selection with an id below `before` (from the newest
    /// when `None`), newest first; fewer than `size` once the selection is exhausted.
    pub async fn batch(
        &self,
        app: &App,
        before: Option<i64>,
        size: i64,
    ) -> AppResult<Vec<TicketListRow>> {
        let Some(filter) = &self.filter else {
            return Ok(Vec::new());
        };
        let filter = TicketFilter {
            before_id: before,
            limit: size,
            offset: 0,
            ..filter.clone()
        };
        search(app, &self.caller, filter, &self.query).await
    }
}

/// Of `rows`, the ids of those with something new for the caller since they last opened
/// them (never opened; a comment they may read, a file or a document since).
async fn unread_among(app: &App, caller: &Caller, rows: &[TicketListRow]) -> AppResult<Vec<i64>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let visibilities: Vec<&str> = Visibility::ALL
        .iter()
        .filter(|v| crate::privacy::comment_visible(caller.role, **v))
        .map(|v| v.as_str())
        .collect();
    Ok(app
        .store
        .unread_among(caller.user_id, &ids, &visibilities)
        .await?)
}

/// How many of the caller's open tickets in "Giliran saya" (the newest hundred) have
/// something new for them. Read for the header of every staff page, so it takes the
/// newest and counts nothing else: no deadline sort, no total (each turn on its own, see
/// [`list_rows`]).
pub async fn unread_in_my_turn(app: &App, caller: &Caller) -> AppResult<usize> {
    if !has_turns(caller.role) {
        return Ok(0);
    }
    let q = ListQuery {
        view: Some("mine".to_owned()),
        sort: Some("newest".to_owned()),
        limit: Some(100),
        ..ListQuery::default()
    };
    let now = millis(app.now());
    let Some(filter) = queue_filter(app, caller, &q, now).await? else {
        return Ok(0);
    };
    let rows = list_rows(app, &filter).await?;
    Ok(unread_among(app, caller, &rows).await?.len())
}

/// What the page header tells `caller`: the unread tickets in their turn, the approvals
/// waiting for the Regional Secretary (for the roles that read them), the mail waiting in
/// the inbox (for those who read it), and, for admins, that no mail server is set.
pub async fn desk(app: &App, caller: &Caller) -> AppResult<crate::identity::login::Desk> {
    // The roles that read `/approvals` (`workflow::approvals`).
    let reads_approvals = matches!(
        caller.role,
        Role::RegionalSecretary | Role::Csirt | Role::Admin | Role::Auditor
    );
    let approvals = if reads_approvals {
        let filter = TicketFilter {
            state: Some(State::AwaitingApproval),
            ..TicketFilter::default()
        };
        usize::try_from(app.store.count_queue(&filter).await?).unwrap_or(0)
    } else {
        0
    };
    Ok(crate::identity::login::Desk {
        unread: unread_in_my_turn(app, caller).await?,
        approvals,
        inbox: usize::try_from(crate::inbox::desk::waiting(app, caller).await?).unwrap_or(0),
        mail_missing: caller.role == Role::Admin && !app.rules.notices.mail_enabled,
    })
}

/// A staff member a ticket may be assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignable {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// The staff a ticket may be assigned to, by name: the active help desk, CSIRT and domain
/// officer users (what `assign` accepts); empty for a caller who may not assign.
pub async fn assignable_staff(app: &App, caller: &Caller) -> AppResult<Vec<Assignable>> {
    if !sigap_core::roles_for(sigap_core::Action::Assign).contains(&caller.role) {
        return Ok(Vec::new());
    }
    let mut staff: Vec<Assignable> = app
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| {
            !u.disabled && matches!(u.role, Role::Csirt | Role::Helpdesk | Role::DomainOfficer)
        })
        .map(|u| Assignable {
            email: u.email,
            name: u.name,
            role: u.role,
        })
        .collect();
    staff.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(staff)
}

/// Records that the caller opened the ticket's page (for the queue's "new" marks).
pub async fn mark_seen(app: &App, caller: &Caller, number: &str) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.mark_seen(caller.user_id, number, millis(app.now()))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The store's filter for `q` within the caller's scope; `None` when it can select
/// nothing (an agency outside the caller's scope).
async fn queue_filter(
    app: &App,
    caller: &Caller,
    q: &ListQuery,
    now: i64,
) -> AppResult<Option<TicketFilter>> {
    let mut filter = parse_filter(caller, q)?;
    let scope = caller.ticket_scope();
    filter.agency_id = scope.agency_id;
    filter.told_only = scope.told_only;
    if let Some(code) = &q.agency {
        let agency = app.store.find_agency(&code.trim().to_uppercase()).await?;
        let Some(agency) = agency.filter(|a| filter.agency_id.is_none_or(|own| own == a.id)) else {
            return Ok(None);
        };
        filter.agency_id = Some(agency.id);
    }
    if q.overdue == Some(true) {
        filter.overdue_at = Some(now);
    }
    Ok(Some(filter))
}

fn invalid(field: &str, message: &str) -> sigap_core::FieldError {
    sigap_core::FieldError::new(field, message)
}

/// The filter's fields that `q` states, each checked; every wrong one is named.
fn parse_filter(caller: &Caller, q: &ListQuery) -> AppResult<TicketFilter> {
    let mut errors = Vec::new();
    let mut filter = TicketFilter {
        limit: q.limit.unwrap_or(20),
        open_only: q.open == Some(true),
        ..TicketFilter::default()
    };
    if !(1..=100).contains(&filter.limit) {
        errors.push(invalid("limit", "`limit` is between 1 and 100"));
    }
    if let Some(state) = &q.state {
        match state.parse::<State>() {
            Ok(s) => filter.state = Some(s),
            Err(e) => errors.push(invalid("state", &e.to_string())),
        }
    }
    if let Some(c) = &q.criticality {
        match c.parse::<Criticality>() {
            Ok(c) => filter.criticality = Some(c),
            Err(e) => errors.push(invalid("criticality", &e.to_string())),
        }
    }
    parse_intake(q, &mut filter, &mut errors);
    match q.view.as_deref().map(str::trim) {
        None | Some("" | "all") => {}
        Some("mine") => my_turn(caller, &mut filter),
        Some(_) => errors.push(invalid("view", "`view` is `all` or `mine`")),
    }
    match q.assignee.as_deref().map(str::trim) {
        None | Some("") => {}
        Some("me") => filter.assignee = Some(AssigneeFilter::Is(caller.user_id)),
        Some("none") => filter.assignee = Some(AssigneeFilter::Nobody),
        Some(_) => errors.push(invalid("assignee", "`assignee` is `me` or `none`")),
    }
    match q.sort.as_deref().map(str::trim) {
        // "Giliran saya" reads nearest deadline first unless asked otherwise.
        None | Some("") if filter.turns.is_some() => filter.sort = QueueSort::Deadline,
        None | Some("" | "newest") => {}
        Some("deadline") => filter.sort = QueueSort::Deadline,
        Some("updated") => filter.sort = QueueSort::Updated,
        Some("criticality") => filter.sort = QueueSort::Criticality,
        Some(_) => errors.push(invalid(
            "sort",
            "`sort` is `newest`, `deadline`, `updated` or `criticality`",
        )),
    }
    if let Some(cursor) = q.cursor.as_deref() {
        let offset = cursor.strip_prefix('o');
        match (offset, offset.unwrap_or(cursor).parse::<i64>()) {
            (Some(_), Ok(n)) if n >= 0 => filter.offset = n,
            (None, Ok(id)) => filter.before_id = Some(id),
            _ => errors.push(invalid("cursor", "`cursor` is not one this server gave")),
        }
    }
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The filters on how and when a ticket came in: its channel, its vulnerability class, and
/// the days (WIB) of its creation from `from` up to and with `to`.
fn parse_intake(
    q: &ListQuery,
    filter: &mut TicketFilter,
    errors: &mut Vec<sigap_core::FieldError>,
) {
    match q.channel.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(channel) => match channel.parse::<Channel>() {
            Ok(c) => filter.channel = Some(c),
            Err(e) => errors.push(invalid("channel", &e.to_string())),
        },
    }
    match q.class.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(class) => match class.parse::<sigap_core::WeaknessClass>() {
            Ok(c) => filter.weakness_class = Some(c),
            Err(e) => errors.push(invalid("class", &e.to_string())),
        },
    }
    let mut day = |field: &str, text: &Option<String>, next: bool| {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        let start = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| if next { d.succ_opt() } else { Some(d) })
            .map(|d| sigap_core::wib_midnight(d).timestamp_millis());
        if start.is_none() {
            errors.push(invalid(
                field,
                &format!("`{field}` is a date written 2026-12-31"),
            ));
        }
        start
    };
    filter.created_from = day("from", &q.from, false);
    filter.created_before = day("to", &q.to, true);
    if let (Some(from), Some(before)) = (filter.created_from, filter.created_before)
        && from >= before
    {
        errors.push(invalid("to", "`to` is the day of `from` or a later one"));
    }
}

/// "Giliran saya": the open tickets whose next step is the caller's. The CSIRT's are
/// those assigned to the analyst or to no one; the help desk's, the new reports no one is
/// assigned to yet (theirs to route); admins and auditors have no turn.
fn my_turn(caller: &Caller, filter: &mut TicketFilter) {
    filter.open_only = true;
    match caller.role {
        Role::Helpdesk => {
            filter.turns = Some(vec![Turn {
                state: State::Queued,
                blocked: None,
            }]);
            filter.assignee = Some(AssigneeFilter::Nobody);
        }
        Role::Csirt => {
            filter.turns = Some(turns(Role::Csirt));
            filter.assignee = Some(AssigneeFilter::IsOrNobody(caller.user_id));
        }
        role => filter.turns = Some(turns(role)),
    }
}

/// Whether the caller has turns of their own (admins and auditors have none), so that the
/// queue opens on "Giliran saya".
pub fn has_turns(role: Role) -> bool {
    role == Role::Helpdesk || !turns(role).is_empty()
}

/// The blocks of the caller's agency's systems by tickets the agency has not yet been
/// told of, for a system owner (empty for every other role, who see the tickets).
pub async fn block_notices(app: &App, caller: &Caller) -> AppResult<Vec<BlockNotice>> {
    if caller.role != Role::SystemOwner {
        return Ok(Vec::new());
    }
    let filter = TicketFilter {
        agency_id: caller.scope(),
        state: Some(State::Notifying),
        limit: 100,
        ..TicketFilter::default()
    };
    let rows = app.store.list_tickets(&filter).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.blocked)
        .map(|r| BlockNotice {
            system: r.system_name.unwrap_or_else(|| "-".to_owned()),
            blocked_at: from_millis(r.state_entered_at),
        })
        .collect())
}

/// The queue's rows for the search `query` within `filter`: the ticket it numbers and the
/// tickets its words find in the report, or in who reported for a caller who may know,
/// newest first, at most `filter.limit`.
/// The rows of one page of the queue without a search. Under several turns ("Giliran
/// saya": several states) newest first or by deadline, each turn is read on its own along
/// its index (`(state, id)`, `(state, due_at, id)`) and the lists merged: one query over
/// every state would gather and sort all of them (tens of thousands in a large queue) to
/// keep a page. The order is the single query's: by deadline, then those without one by
/// number.
async fn list_rows(app: &App, filter: &TicketFilter) -> AppResult<Vec<TicketListRow>> {
    let turns = match &filter.turns {
        Some(turns) if turns.len() > 1 && filter.state.is_none() => turns.clone(),
        _ => return Ok(app.store.list_tickets(filter).await?),
    };
    let want = usize::try_from(filter.offset + filter.limit).unwrap_or(0);
    let each = |due_set: Option<bool>, limit: usize| {
        let turns = turns.clone();
        let base = TicketFilter {
            offset: 0,
            limit: i64::try_from(limit).unwrap_or(i64::MAX),
            due_set,
            ..filter.clone()
        };
        async move {
            let mut rows = Vec::new();
            for turn in turns {
                let one = TicketFilter {
                    turns: Some(vec![turn]),
                    ..base.clone()
                };
                rows.extend(app.store.list_tickets(&one).await?);
            }
            AppResult::Ok(rows)
        }
    };
    let mut rows = match filter.sort {
        QueueSort::Newest => {
            let mut rows = each(None, want).await?;
            rows.sort_by_key(|r| std::cmp::Reverse(r.id));
            rows
        }
        QueueSort::Deadline => {
            let mut rows = each(Some(true), want).await?;
            rows.sort_by_key(|r| (r.due_at, r.id));
            rows.truncate(want);
            if rows.len() < want {
                let mut unset = each(Some(false), want - rows.len()).await?;
                unset.sort_by_key(|r| r.id);
                rows.extend(unset);
            }
            rows
        }
        _ => return Ok(app.store.list_tickets(filter).await?),
    };
    rows.truncate(want);
    let skip = usize::try_from(filter.offset).unwrap_or(0);
    Ok(rows.into_iter().skip(skip).collect())
}

async fn search(
    app: &App,
    caller: &Caller,
    filter: TicketFilter,
    query: &str,
) -> AppResult<Vec<TicketListRow>> {
    let words = search_words(query);
    if words.is_empty() {
        return list_rows(app, &filter).await;
    }
    // The searches' rows are merged newest first, so each is read in that order.
    let filter = TicketFilter {
        sort: QueueSort::Newest,
        offset: 0,
        ..filter
    };
    let number = number_match(query);
    // A whole number is an exact match only; a sequence alone is also a word's start.
    let exact = matches!(number, Some(NumberMatch::Exact(_)));
    let mut searches = Vec::new();
    if let Some(number) = number {
        searches.push(TicketFilter {
            number: Some(number),
            ..filter.clone()
        });
    }
    if !exact {
        if sees_reporter(caller.role) {
            searches.push(TicketFilter {
                words: words.clone(),
                words_in: TextIndex::Reporter,
                ..filter.clone()
            });
        }
        searches.push(TicketFilter {
            words,
            ..filter.clone()
        });
    }
    let mut rows: Vec<TicketListRow> = Vec::new();
    for search in &searches {
        rows.extend(app.store.list_tickets(search).await?);
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    rows.dedup_by_key(|r| r.id);
    rows.truncate(usize::try_from(filter.limit).unwrap_or(20));
    Ok(rows)
}

/// The ticket number a search names: a whole number (`bcsirt-2026-00005`, any case), or a
/// sequence number alone (`00005`, `5`).
fn number_match(query: &str) -> Option<NumberMatch> {
    // `prefix-year-seq`, the sequence with or without its zeros.
    let parts: Vec<&str> = query.split('-').collect();
    if let [prefix, year, seq] = parts.as_slice() {
        let digits = |t: &str, most: usize| {
            !t.is_empty() && t.len() <= most && t.bytes().all(|b| b.is_ascii_digit())
        };
        let prefix_ok = sigap_core::TicketNumber::check_prefix(&prefix.to_uppercase()).is_ok();
        if prefix_ok && year.len() == 4 && digits(year, 4) && digits(seq, 9) {
            let (year, seq) = (year.parse().ok()?, seq.parse().ok()?);
            let number = sigap_core::TicketNumber::new(prefix, year, seq);
            return Some(NumberMatch::Exact(number.to_string()));
        }
    }
    let digits = query.len() <= 9 && !query.is_empty() && query.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| query.parse::<i64>().ok())
        .flatten()
        .filter(|n| *n > 0)
        .map(NumberMatch::Sequence)
}

pub(crate) fn summary(r: TicketListRow, now: i64) -> AppResult<TicketSummary> {
    let state = r.state;
    Ok(TicketSummary {
        number: r.number,
        state,
        state_label: state.label_id().to_owned(),
        title: r.title,
        severity: r.severity,
        criticality: r.criticality,
        blocked: r.blocked,
        agency: r.agency_code,
        system: r.system_name,
        target_host: r.target_host,
        deadline: deadline(r.state_entered_at, r.due_at, now),
        assignee: r.assignee_name,
        updated_at: from_millis(r.updated_at),
        unread: false,
        created_at: from_millis(r.created_at),
    })
}
