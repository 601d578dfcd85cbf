//! Blocking and unblocking through the system's adapter (step 5 and step 10), with proof.
//!
//! The adapter's work happens before the step's transaction, since it talks to servers
//! outside sigap and must not hold the database: a baseline capture of what the host
//! answers, the adapter's change, and a capture once the change shows. If the adapter fails,
//! the action is refused with the adapter's message and nothing in sigap changes. If the
//! adapter succeeded but the step is then refused (another officer was quicker, a record is
//! missing), [`Applied::undo`] puts the change back, so that a system is never left blocked
//! without a ticket that says so, nor unblocked while a ticket says it is blocked.
//!
//! The captures are stored as evidence of the step (a JSON file and, when Chromium could
//! take one, a PNG screenshot) and summarised as probe lines in the block or unblock record.
//! The block's record of exactly what changed goes into the step's records; the unblock
//! takes it back from there.
//!
//! The captures photograph the registered system, not the reporter's URL: the scheme, host
//! and port of the report's target with path `/`, or the exact `proof_url` an officer
//! confirms in the block form, whose host a domain of the system must cover. Every
//! connection follows the outbound policy (`SIGAP_OUTBOUND_ALLOW`, see
//! `sigap_block::outbound`). A system's adapter is a profile of the operator's blocking
//! file (see [`crate::workflow::blocking_profiles`]) or, set on the server with the command line,
//! the adapter's own parameters.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sigap_block::proof::{self, Proof, ProofOptions, ProofTarget, Screenshot};
use sigap_block::{Adapter, AdapterConfig, BlockRecord, BlockRequest, Hostname};
use sigap_core::{Domain, Target};
use sigap_store::{StepRecordRow, SystemRow, TicketRow};

use crate::evidence::StoredFile;
use crate::workflow::blocking_profiles::{BlockingProfiles, with_system_parameters};
use crate::{App, AppError, AppResult, millis};

pub use sigap_block::OutboundPolicy;

/// How long a capture waits for a block or unblock to show in the host's answers.
const PATIENCE: Duration = Duration::from_secs(4);

/// What an adapter did for a step, to be recorded with it.
pub(crate) struct Applied {
    adapter: Box<dyn Adapter>,
    record: BlockRecord,
    request: BlockRequest,
    /// Fields added to the step's records.
    pub records: Map<String, Value>,
    /// The captures, as evidence of the step.
    pub files: Vec<StoredFile>,
}

impl Applied {
    /// Puts back what the adapter changed, when the step that caused it was refused.
    pub(crate) async fn undo(self, now: DateTime<Utc>) {
        let result = match self.record.direction {
            sigap_block::Direction::Block => self.adapter.unblock(&self.record, now).await,
            sigap_block::Direction::Unblock => self.adapter.block(&self.request).await,
        };
        if let Err(e) = result {
            tracing::error!(error = %e, host = %self.request.host.as_str(),
                "the adapter's change could not be put back after the step was refused");
        }
    }
}

/// The adapter configured for `system`, or `None` for `manual`: the system's profile with
/// its harmless values, or the parameters the operator set on the command line; with the
/// profile's name when it has one.
fn configured(app: &App, system: &SystemRow) -> AppResult<(Option<AdapterConfig>, Option<String>)> {
    if system.blocking_adapter == "manual" {
        return Ok((None, None));
    }
    let mut params: Map<String, Value> = serde_json::from_str(&system.blocking_params)
        .map_err(|e| AppError::Internal(format!("blocking parameters: {e}")))?;
    match params.remove(PROFILE_KEY) {
        Some(Value::String(name)) => {
            let profile = app.rules.blocking.profiles.get(&name).ok_or_else(|| {
                AppError::Upstream(format!(
                    "the blocking profile `{name}` of this system is not in SIGAP_BLOCKING_FILE"
                ))
            })?;
            let config = with_system_parameters(profile, &params)
                .map_err(|e| AppError::Upstream(format!("profile `{name}`: {}", e.message)))?;
            Ok((Some(config), Some(name)))
        }
        _ => {
            AdapterConfig::parse_json(&system.blocking_adapter, &params, &sigap_block::process_env)
                .map(|config| (Some(config), None))
                .map_err(|e| {
                    AppError::Upstream(format!("{} adapter: {e}", system.blocking_adapter))
                })
        }
    }
}

/// The methods the block and unblock forms offer for the system `system_id`: the configured
/// adapter (by its profile's name when it has one) first, then `manual`; `manual` alone for
/// a system without an adapter or no system.
pub async fn methods(app: &App, system_id: Option<i64>) -> AppResult<Vec<String>> {
    let manual = "manual".to_owned();
    let Some(id) = system_id else {
        return Ok(vec![manual]);
    };
    let Some(system) = app.store.get_system(id).await? else {
        return Ok(vec![manual]);
    };
    if system.blocking_adapter == "manual" {
        return Ok(vec![manual]);
    }
    let params: Map<String, Value> =
        serde_json::from_str(&system.blocking_params).unwrap_or_default();
    let name = match params.get(PROFILE_KEY) {
        Some(Value::String(profile)) => profile.clone(),
        _ => system.blocking_adapter.clone(),
    };
    Ok(vec![name, manual])
}

/// Checks the method the officer chose against the system's setting: `manual` is always
/// possible (with a reason when an adapter is configured), any other name must be the
/// configured adapter or its profile.
pub(crate) fn chosen(
    app: &App,
    system: &SystemRow,
    body: &Value,
) -> AppResult<Option<AdapterConfig>> {
    let method = body
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let (config, profile) = configured(app, system)?;
    match (method, &config) {
        ("manual", None) => Ok(None),
        ("manual", Some(_)) => {
            let notes = body.get("notes").and_then(Value::as_str).unwrap_or("");
            if notes.trim().is_empty() {
                return Err(AppError::invalid(
                    "notes",
                    format!(
                        "this system is blocked through `{}`; say in `notes` why it is done by hand",
                        system.blocking_adapter
                    ),
                ));
            }
            Ok(None)
        }
        (name, Some(_)) if name == system.blocking_adapter || profile.as_deref() == Some(name) => {
            Ok(config)
        }
        (name, _) => Err(AppError::invalid(
            "method",
            format!(
                "blocking adapter `{name}` is not set for this system; use `{}`{}",
                system.blocking_adapter,
                if system.blocking_adapter == "manual" {
                    " and attach the proof"
                } else {
                    " or `manual` with a reason"
                }
            ),
        )),
    }
}

/// The registered domains of `system`.
pub(crate) async fn system_domains(app: &App, system: &SystemRow) -> AppResult<Vec<Domain>> {
    Ok(app
        .store
        .list_domains(Some(system.agency_id))
        .await?
        .into_iter()
        .filter(|d| d.system_id == system.id)
        .filter_map(|d| Domain::parse(&d.domain).ok())
        .collect())
}

/// Refuses to link `system` to a ticket whose target host none of its domains covers.
pub(crate) async fn check_covers(
    app: &App,
    system: &SystemRow,
    host: &str,
    field: &str,
) -> AppResult<()> {
    let domains = system_domains(app, system).await?;
    if domains.iter().any(|d| d.covers(host)) {
        return Ok(());
    }
    let listed: Vec<&str> = domains.iter().map(Domain::as_str).collect();
    Err(AppError::invalid(
        field,
        format!(
            "`{host}` is not covered by the domains of the system `{}` ({})",
            system.name,
            listed.join(", ")
        ),
    ))
}

/// What the captures photograph: the system's front page at the target's scheme, host and
/// port, or the `proof_url` the officer confirmed, on a host the system's domains cover.
async fn proof_target(
    app: &App,
    system: &SystemRow,
    row: &TicketRow,
    body: &Value,
) -> AppResult<ProofTarget> {
    let confirmed = body
        .get("proof_url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let (text, field) = match confirmed {
        Some(url) => (url.to_owned(), "proof_url"),
        None => (row.target_url.clone(), "system"),
    };
    let target = Target::parse(&text)
        .map_err(|e| AppError::invalid(field, e.message.replace("`target`", "the address")))?;
    check_covers(app, system, &target.host, field).await?;
    let host =
        Hostname::parse(&target.host).map_err(|e| AppError::invalid(field, e.to_string()))?;
    let url = url::Url::parse(&target.url).map_err(|e| AppError::invalid(field, e.to_string()))?;
    let made = if confirmed.is_some() {
        ProofTarget::new(host, Some(url))
    } else {
        ProofTarget::front_page(host, &url)
    };
    made.map_err(|e| AppError::invalid(field, e))
}

/// The host a block suspends: the reported host, which the system's domains cover.
async fn host_of(app: &App, system: &SystemRow, row: &TicketRow) -> AppResult<Hostname> {
    check_covers(app, system, &row.target_host, "system").await?;
    Hostname::parse(&row.target_host).map_err(|e| {
        AppError::invalid("system", format!("cannot block `{}`: {e}", row.target_host))
    })
}

/// The block record of the ticket's latest block step.
fn last_block(steps: &[StepRecordRow]) -> AppResult<BlockRecord> {
    let step = steps
        .iter()
        .rev()
        .find(|s| s.action == sigap_core::Action::Block)
        .ok_or_else(|| AppError::Conflict("the ticket has no recorded block".to_owned()))?;
    let records: Value = serde_json::from_str(&step.records)
        .map_err(|e| AppError::Internal(format!("block records: {e}")))?;
    let record = records.get("adapter_record").cloned().ok_or_else(|| {
        AppError::Conflict(
            "the block was made by hand; lift it by hand (`manual`) and attach the proof"
                .to_owned(),
        )
    })?;
    serde_json::from_value(record).map_err(|e| AppError::Internal(format!("block record: {e}")))
}

/// What a block or unblock through an adapter works on.
pub(crate) struct Step<'a> {
    pub row: &'a TicketRow,
    pub system: &'a SystemRow,
    /// The step's input (`proof_url`).
    pub body: &'a Value,
    /// `true` for a block, `false` for an unblock.
    pub blocking: bool,
    pub steps: &'a [StepRecordRow],
}

/// Runs the adapter for a block or an unblock, with proof.
pub(crate) async fn apply(
    app: &App,
    config: &AdapterConfig,
    step: &Step<'_>,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let (row, blocking, steps) = (step.row, step.blocking, step.steps);
    let upstream = |e: sigap_block::BlockError| AppError::Upstream(e.to_string());
    let outbound = &app.rules.blocking.outbound;
    let adapter = sigap_block::build_adapter(config, outbound).map_err(upstream)?;
    let request = BlockRequest {
        host: host_of(app, step.system, row).await?,
        ticket: row.number.clone(),
        contact: app.rules.blocking.contact.clone(),
        now,
    };
    let target = proof_target(app, step.system, row, step.body).await?;
    let options = app.rules.blocking.proof.clone().map(|mut o| {
        o.outbound = outbound.clone();
        o
    });
    let before = match &options {
        Some(o) => Some(proof::capture(&target, o, now).await),
        None => None,
    };
    let record = if blocking {
        adapter.block(&request).await
    } else {
        adapter.unblock(&last_block(steps)?, now).await
    };
    let action = if blocking { "block" } else { "unblock" };
    let outcome = if record.is_ok() { "ok" } else { "failed" };
    app.meter.count(
        "sigap_blocking_actions_total",
        &[
            ("action", action.to_owned()),
            ("outcome", outcome.to_owned()),
        ],
    );
    let record = record.map_err(upstream)?;
    let after = match (&options, &before) {
        (Some(o), Some(b)) => {
            let changed = |http: &proof::HttpCapture| {
                if blocking {
                    !proof::compare_http(&b.http, http).is_as_before()
                } else {
                    true
                }
            };
            Some(proof::capture_when(&target, o, now, PATIENCE, changed).await)
        }
        _ => None,
    };
    let (records, files) = evidence(app, blocking, &record, before, after, steps).await?;
    Ok(Applied {
        adapter,
        record,
        request,
        records,
        files,
    })
}

/// One line of a record's probe list.
fn probe(at: DateTime<Utc>, check: String, result: String) -> Value {
    json!({"at": at, "check": check, "result": result})
}

fn probes_of(label: &str, p: &Proof) -> Vec<Value> {
    let dns = if let Some(error) = &p.dns.error {
        format!("tidak terjawab: {error}")
    } else {
        let mut all = p.dns.a.clone();
        all.extend(p.dns.aaaa.iter().cloned());
        all.extend(p.dns.cname.iter().map(|c| format!("CNAME {c}")));
        all.join(", ")
    };
    let http = match (&p.http.status, &p.http.error) {
        (Some(status), _) => format!(
            "HTTP {status} · {} · SHA-256 {}",
            p.http.title.as_deref().unwrap_or("-"),
            p.http.body_sha256.as_deref().unwrap_or("-")
        ),
        (None, Some(error)) => format!("tidak terjawab: {error}"),
        (None, None) => "-".to_owned(),
    };
    let mut lines = vec![
        probe(
            p.captured_at,
            format!("{label}: DNS {}", p.host.as_str()),
            dns,
        ),
        probe(p.captured_at, format!("{label}: {}", p.url), http),
    ];
    if let Some(tls) = &p.tls {
        lines.push(probe(
            p.captured_at,
            format!("{label}: sertifikat TLS"),
            format!(
                "{} · berlaku s.d. {}",
                tls.subject,
                tls.not_after
                    .map_or_else(|| "-".to_owned(), sigap_core::format_wib)
            ),
        ));
    }
    if let Some(finding) = &p.http.certificate_error {
        lines.push(probe(
            p.captured_at,
            format!("{label}: sertifikat TLS"),
            format!("tidak sah: {finding}"),
        ));
    }
    if let Screenshot::NotPossible { reason } = &p.screenshot {
        lines.push(probe(
            p.captured_at,
            format!("{label}: tangkapan layar"),
            format!("tidak diambil ({reason}); hanya rekaman HTTP"),
        ));
    }
    lines
}

/// The step's added records and evidence files from the adapter's record and captures.
async fn evidence(
    app: &App,
    blocking: bool,
    record: &BlockRecord,
    before: Option<Proof>,
    after: Option<Proof>,
    steps: &[StepRecordRow],
) -> AppResult<(Map<String, Value>, Vec<StoredFile>)> {
    let mut records = Map::new();
    records.insert("adapter_record".into(), json!(record));
    if let (true, Some(b)) = (blocking, &before) {
        records.insert("baseline".into(), json!(b));
    }
    let mut files = Vec::new();
    let mut probes = Vec::new();
    let word = if blocking { "blokir" } else { "buka-blokir" };
    for (label, capture) in [("Sebelum", &before), ("Sesudah", &after)] {
        let Some(p) = capture else { continue };
        probes.extend(probes_of(label, p));
        if let Screenshot::Taken { png, .. } = &p.screenshot {
            files.push(
                store(
                    app,
                    png,
                    format!("{word}-{}.png", label.to_lowercase()),
                    "image/png",
                )
                .await?,
            );
        }
    }
    if let (false, Some(a)) = (blocking, &after) {
        let baseline = baseline_of(steps);
        if let Some(b) = baseline {
            let comparison = proof::compare(&b, a);
            records.insert("as_before_block".into(), json!(comparison.is_as_before()));
            records.insert("comparison".into(), json!(comparison.summary()));
        }
    }
    if before.is_none() {
        probes.push(probe(
            record.at,
            "Bukti otomatis".to_owned(),
            "tidak diambil (dimatikan dalam pengaturan)".to_owned(),
        ));
    }
    let captures = json!({"record": record, "before": before, "after": after});
    let text = serde_json::to_vec_pretty(&captures).unwrap_or_default();
    files.push(store(app, &text, format!("bukti-{word}.json"), "text/plain").await?);
    records.insert("probes".into(), Value::Array(probes));
    if let Some(a) = after {
        records.insert("proof".into(), json!(a));
    }
    Ok((records, files))
}

/// The capture taken before the latest block, kept in that step's records.
fn baseline_of(steps: &[StepRecordRow]) -> Option<Proof> {
    let step = steps
        .iter()
        .rev()
        .find(|s| s.action == sigap_core::Action::Block)?;
    let records: Value = serde_json::from_str(&step.records).ok()?;
    serde_json::from_value(records.get("baseline")?.clone()).ok()
}

async fn store(
    app: &App,
    bytes: &[u8],
    name: String,
    media_type: &'static str,
) -> AppResult<StoredFile> {
    Ok(StoredFile {
        sha256: app.blobs.put(bytes).await?,
        name,
        media_type,
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
    })
}

/// Seconds from entering `closing` to a verified unblock: the SOP's five-minute standard.
pub(crate) fn unblock_seconds(row: &TicketRow, now: DateTime<Utc>) -> i64 {
    (millis(now) - row.state_entered_at) / 1000
}

/// What the settings say about blocking.
#[derive(Debug, Clone, Default)]
pub struct BlockingConfig {
    /// The office's contact printed on the maintenance page.
    pub contact: String,
    /// How the proof is captured; `None` captures nothing (the record says so).
    pub proof: Option<ProofOptions>,
    /// The operator's named adapter configurations (`SIGAP_BLOCKING_FILE`).
    pub profiles: BlockingProfiles,
    /// Which special addresses the server may connect to (`SIGAP_OUTBOUND_ALLOW`): proof
    /// captures, adapters and webhooks all follow it.
    pub outbound: OutboundPolicy,
}

/// The key of a system's blocking parameters that names its profile.
pub const PROFILE_KEY: &str = "profile";

/// What checking one system's adapter found (`sigap doctor`).
#[derive(Debug, Clone)]
pub struct AdapterCheck {
    /// The system's name and agency, e.g. `Portal PPDB (DISDIK)`.
    pub system: String,
    /// The profile's name, or the adapter's when the system has no profile.
    pub method: String,
    /// `None`: the adapter can do its work; otherwise what stops it.
    pub problem: Option<String>,
}

/// Checks, without changing anything, that the adapter of every system in service that has
/// one can do its work: the server answers and takes the credentials (PowerDNS, RFC 2136:
/// the zone is read), nginx's test command passes, a webhook's name resolves to an address
/// sigap may connect to. Systems blocked by hand are left out.
pub async fn check_adapters(app: &App) -> AppResult<Vec<AdapterCheck>> {
    let mut checks = Vec::new();
    for system in app.store.list_systems(None).await? {
        if system.disabled || system.blocking_adapter == "manual" {
            continue;
        }
        let name = format!("{} ({})", system.name, system.agency_code);
        let (config, profile) = match configured(app, &system) {
            Ok((Some(config), profile)) => (config, profile),
            Ok((None, _)) => continue,
            Err(e) => {
                checks.push(AdapterCheck {
                    system: name,
                    method: system.blocking_adapter.clone(),
                    problem: Some(e.describe()),
                });
                continue;
            }
        };
        let method = profile.unwrap_or_else(|| system.blocking_adapter.clone());
        let problem = match sigap_block::build_adapter(&config, &app.rules.blocking.outbound) {
            Ok(adapter) => adapter.check().await.err().map(|e| e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        checks.push(AdapterCheck {
            system: name,
            method,
            problem,
        });
    }
    Ok(checks)
}
