//! The demo data set behind `sigap serve --demo`: the regional agencies (*Perangkat Daerah*)
//! of Kota Batam with their electronic systems, one staff user per role, and eight reports
//! left at different steps of the SOP, so that a newcomer can click through all of it.
//!
//! Everything goes through the use cases (registries as [`Caller::system`], workflow
//! actions as the demo users), so the tickets, step records and audit log are the same as a
//! real deployment's. The story is told on a clock of its own that starts 30 days before
//! the app's `now` and never passes it: the closed ticket's walk took days, the open
//! tickets' deadlines lie ahead, and the SLA figures have something to show.
//!
//! The set is loaded once: when the agency `DISKOMINFO` exists, [`load_demo`] does nothing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};
use sigap_core::{Channel, Clock, Given, ManualClock};

use crate::auth::{Caller, new_secret};
use crate::intake::{Intake, submit_report};
use crate::{App, AppError, AppResult, actions, registry};

/// The agency whose presence says the demo is already loaded.
const MARKER_AGENCY: &str = "DISKOMINFO";

/// How long before the app's `now` the demo's story starts, in days.
const STORY_DAYS: i64 = 30;

/// Where the demo's requests come from, as the audit log records it.
const SOURCE: &str = "127.0.0.1";

/// A staff user of the demo and the password it was given at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The sign-in e-mail address.
    pub email: String,
    /// The role, e.g. `csirt`.
    pub role: String,
    /// The agency code of a system owner.
    pub agency: Option<String>,
    /// The password: 16 random letters and digits, generated at load time and shown once.
    pub password: String,
}

/// What [`load_demo`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// `false` when the demo was already there and nothing was loaded.
    pub loaded: bool,
    /// The users created, with their passwords.
    pub users: Vec<DemoUser>,
    /// The numbers of the tickets created, oldest first.
    pub tickets: Vec<String>,
}

/// The domain of every demo user's address.
const DEMO_DOMAIN: &str = "@demo.batam.go.id";

/// Refuses (`Conflict`) a database that holds users other than the demo's: the demo prints
/// passwords and is meant for a throw-away database, never for one in real use.
pub async fn check_database(app: &App) -> AppResult<()> {
    let foreign = app
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.email.ends_with(DEMO_DOMAIN))
        .count();
    if foreign > 0 {
        return Err(AppError::Conflict(format!(
            "--demo refuses this database: it holds {foreign} user(s) that are not the demo's; \
             use an empty data directory or database for the demo"
        )));
    }
    Ok(())
}

/// Loads the demo data set once; a second call finds it and loads nothing.
pub async fn load_demo(app: &App) -> AppResult<DemoSummary> {
    if app.store.find_agency(MARKER_AGENCY).await?.is_some() {
        return Ok(DemoSummary {
            loaded: false,
            users: Vec::new(),
            tickets: Vec::new(),
        });
    }
    let story = Story::new(app);
    register_agencies(&story.app).await?;
    let users = add_users(&story.app).await?;
    let cast = cast(&story.app).await?;
    let tickets = story.play(&cast, events(story.end)).await?;
    Ok(DemoSummary {
        loaded: true,
        users,
        tickets,
    })
}

/// The app on the story's clock, which only moves forward and ends at the app's `now`.
struct Story {
    app: App,
    clock: Arc<ManualClock>,
    end: DateTime<Utc>,
}

impl Story {
    fn new(app: &App) -> Story {
        let end = app.now();
        let clock = Arc::new(ManualClock::new(end - TimeDelta::days(STORY_DAYS)));
        let shared: Arc<dyn Clock> = clock.clone();
        Story {
            app: app.with_clock(shared),
            clock,
            end,
        }
    }

    /// Moves the clock to `minutes` before the end, unless it is already later.
    fn at(&self, minutes: i64) {
        let to = self.end - TimeDelta::minutes(minutes);
        if to > self.clock.now() {
            self.clock.set(to);
        }
    }

    /// Plays the events in time order; answers the ticket numbers in order of submission.
    async fn play(
        &self,
        cast: &HashMap<&'static str, Caller>,
        mut events: Vec<Event>,
    ) -> AppResult<Vec<String>> {
        events.sort_by_key(|e| std::cmp::Reverse(e.ago));
        let mut numbers: Vec<(&'static str, String)> = Vec::new();
        for event in events {
            self.at(event.ago);
            match event.step {
                Step::Submit(body) => {
                    let number = self.submit(&body).await?;
                    numbers.push((event.ticket, number));
                }
                Step::Act {
                    who,
                    action,
                    body,
                    only_in,
                } => {
                    let number = lookup(&numbers, event.ticket)?;
                    let caller = cast
                        .get(who)
                        .ok_or_else(|| AppError::Internal(format!("demo: no user `{who}`")))?;
                    let body = with_refs(body, &numbers)?;
                    self.act(caller, &number, action, &body, only_in).await?;
                }
            }
        }
        Ok(numbers.into_iter().map(|(_, n)| n).collect())
    }

    async fn submit(&self, body: &Value) -> AppResult<String> {
        let intake = Intake {
            staff: None,
            channel: Channel::Web,
            source: Some(SOURCE.into()),
        };
        let request = sigap_core::form::request(body).map_err(AppError::Invalid)?;
        let submitted = submit_report(&self.app, &request, &[], intake)
            .await
            .inspect_err(|e| {
                tracing::error!(error = %e, "demo: a report was refused");
            })?;
        Ok(submitted.ticket_number)
    }

    /// Performs one action; skipped when `only_in` names a state the ticket is not in (a
    /// deployment with another approval threshold does not stop for the Sekda).
    async fn act(
        &self,
        caller: &Caller,
        number: &str,
        action: &str,
        body: &Value,
        only_in: Option<&str>,
    ) -> AppResult<()> {
        if let Some(state) = only_in {
            let row = self.app.store.get_ticket(number).await?;
            if row.is_none_or(|t| t.state.as_str() != state) {
                return Ok(());
            }
        }
        let source = Some(SOURCE.to_owned());
        actions::perform_action(&self.app, caller, number, action, body, &[], source)
            .await
            .inspect_err(|e| {
                tracing::error!(ticket = number, action, error = %e, "demo: an action was refused");
            })?;
        Ok(())
    }
}

fn lookup(numbers: &[(&'static str, String)], key: &str) -> AppResult<String> {
    numbers
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n.clone())
        .ok_or_else(|| AppError::Internal(format!("demo: ticket `{key}` was not submitted first")))
}

/// Replaces a field value `@key` (e.g. `"of": "@xss"`) with that ticket's number.
fn with_refs(mut body: Value, numbers: &[(&'static str, String)]) -> AppResult<Value> {
    if let Some(Value::String(text)) = body.get_mut("of")
        && let Some(key) = text.strip_prefix('@')
    {
        *text = lookup(numbers, key)?;
    }
    Ok(body)
}

/// One thing that happens in the story, `ago` minutes before its end.
struct Event {
    ago: i64,
    ticket: &'static str,
    step: Step,
}

enum Step {
    /// A reporter submits a report through the public form.
    Submit(Value),
    /// A demo user (key into the cast) performs a workflow action.
    Act {
        who: &'static str,
        action: &'static str,
        body: Value,
        only_in: Option<&'static str>,
    },
}

/// Minutes in `days`, `hours` and `minutes`.
const fn ago(days: i64, hours: i64, minutes: i64) -> i64 {
    (days * 24 + hours) * 60 + minutes
}

fn submit(ago: i64, ticket: &'static str, body: Value) -> Event {
    Event {
        ago,
        ticket,
        step: Step::Submit(body),
    }
}

fn act(
    ago: i64,
    ticket: &'static str,
    who: &'static str,
    action: &'static str,
    body: Value,
) -> Event {
    Event {
        ago,
        ticket,
        step: Step::Act {
            who,
            action,
            body,
            only_in: None,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Registries

/// An agency: code, name, official e-mail, and its systems (name, domains).
type AgencySeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);

const AGENCIES: &[AgencySeed] = &[
    (
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika",
        "diskominfo@demo.batam.go.id",
        &[
            (
                "Portal Resmi Pemerintah Kota Batam",
                &["portal.batam.go.id"],
            ),
            ("Single Sign-On ASN Pemko Batam", &["sso.batam.go.id"]),
            ("Tata Naskah Dinas Elektronik (TNDE)", &["tnde.batam.go.id"]),
            ("Portal Satu Data Kota Batam", &["data.batam.go.id"]),
        ],
    ),
    (
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "disdukcapil@demo.batam.go.id",
        &[
            (
                "Layanan Administrasi Kependudukan Online",
                &["adminduk.batam.go.id"],
            ),
            ("Website Disdukcapil", &["disdukcapil.batam.go.id"]),
        ],
    ),
    (
        "DINKES",
        "Dinas Kesehatan",
        "dinkes@demo.batam.go.id",
        &[
            ("Website Dinas Kesehatan", &["dinkes.batam.go.id"]),
            (
                "Sistem Informasi Manajemen Puskesmas (SIMPUS)",
                &["simpus.batam.go.id"],
            ),
        ],
    ),
    (
        "DISDIK",
        "Dinas Pendidikan",
        "disdik@demo.batam.go.id",
        &[
            (
                "Penerimaan Peserta Didik Baru (PPDB) Online",
                &["ppdb.batam.go.id"],
            ),
            ("Website Dinas Pendidikan", &["disdik.batam.go.id"]),
        ],
    ),
    (
        "BAPENDA",
        "Badan Pendapatan Daerah",
        "bapenda@demo.batam.go.id",
        &[
            ("e-Pajak Daerah", &["pajak.batam.go.id"]),
            ("e-BPHTB", &["bphtb.batam.go.id"]),
        ],
    ),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "dpmptsp@demo.batam.go.id",
        &[
            (
                "Sistem Perizinan Online",
                &["perizinan.batam.go.id", "oss.batam.go.id"],
            ),
            ("Mal Pelayanan Publik", &["mpp.batam.go.id"]),
        ],
    ),
    (
        "BPBD",
        "Badan Penanggulangan Bencana Daerah",
        "bpbd@demo.batam.go.id",
        &[
            ("Website BPBD", &["bpbd.batam.go.id"]),
            (
                "Pusat Pengendalian Operasi (Pusdalops)",
                &["pusdalops.batam.go.id"],
            ),
        ],
    ),
    (
        "SETDA",
        "Sekretariat Daerah",
        "setda@demo.batam.go.id",
        &[
            (
                "Sistem Informasi Pemerintahan Daerah (SIPD)",
                &["sipd.batam.go.id"],
            ),
            (
                "Layanan Pengadaan Secara Elektronik (LPSE)",
                &["lpse.batam.go.id"],
            ),
            (
                "Jaringan Dokumentasi dan Informasi Hukum (JDIH)",
                &["jdih.batam.go.id"],
            ),
        ],
    ),
];

async fn register_agencies(app: &App) -> AppResult<()> {
    let admin = Caller::system();
    for (code, name, email, systems) in AGENCIES {
        let agency = registry::AgencyRequest {
            code: (*code).into(),
            name: (*name).into(),
            email: (*email).into(),
            head_email: format!("kepala.{}@demo.batam.go.id", code.to_lowercase()).into(),
        };
        registry::add_agency(app, &admin, &agency).await?;
        for (system, domains) in *systems {
            let system = registry::SystemRequest {
                agency: (*code).into(),
                name: (*system).into(),
                domains: Given::list(domains),
                ..registry::SystemRequest::default()
            };
            registry::add_system(app, &admin, &system).await?;
        }
    }
    Ok(())
}

/// A demo user: key in the cast, e-mail, name, role, agency.
type UserSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const USERS: &[UserSeed] = &[
    (
        "admin",
        "admin@demo.batam.go.id",
        "Rudi Hartono",
        "admin",
        None,
    ),
    (
        "helpdesk",
        "helpdesk@demo.batam.go.id",
        "Sri Wahyuni",
        "helpdesk",
        None,
    ),
    (
        "csirt",
        "csirt@demo.batam.go.id",
        "Andi Pratama",
        "csirt",
        None,
    ),
    (
        "domain",
        "domain@demo.batam.go.id",
        "Budi Santoso",
        "domain_officer",
        None,
    ),
    (
        "owner_kominfo",
        "pse.diskominfo@demo.batam.go.id",
        "Dewi Anggraini",
        "system_owner",
        Some("DISKOMINFO"),
    ),
    (
        "owner_disdik",
        "pse.disdik@demo.batam.go.id",
        "Yusuf Maulana",
        "system_owner",
        Some("DISDIK"),
    ),
    (
        "sekda",
        "sekda@demo.batam.go.id",
        "Ratna Wulandari",
        "regional_secretary",
        None,
    ),
    (
        "auditor",
        "auditor@demo.batam.go.id",
        "Hendra Gunawan",
        "auditor",
        None,
    ),
];

/// Creates the users, each with a fresh readable password.
async fn add_users(app: &App) -> AppResult<Vec<DemoUser>> {
    let admin = Caller::system();
    let mut users = Vec::with_capacity(USERS.len());
    for (_, email, name, role, agency) in USERS {
        let password: String = new_secret("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        let user = registry::UserRequest {
            email: (*email).into(),
            name: (*name).into(),
            role: (*role).into(),
            agency: (*agency).into(),
            password: password.clone().into(),
        };
        registry::add_user(app, &admin, &user).await?;
        users.push(DemoUser {
            email: (*email).to_owned(),
            role: (*role).to_owned(),
            agency: agency.map(str::to_owned),
            password,
        });
    }
    Ok(users)
}

/// The demo users as callers, by key.
async fn cast(app: &App) -> AppResult<HashMap<&'static str, Caller>> {
    let mut cast = HashMap::new();
    for (key, email, ..) in USERS {
        let user = app
            .store
            .find_user(email)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo: user {email} was not created")))?;
        let role = user.role;
        let caller = Caller {
            user_id: user.id,
            email: user.email,
            name: user.name,
            role,
            agency_id: user.agency_id,
            agency_code: user.agency_code,
        };
        cast.insert(*key, caller);
    }
    Ok(cast)
}

// ---------------------------------------------------------------------------------------
// The story: eight reports, in the order they arrive
//
// | key     | system                | ends in           |
// |---------|-----------------------|-------------------|
// | sso     | sso.batam.go.id       | closed (Belum loop, Sekda approval, unblock) |
// | dinkes  | dinkes.batam.go.id    | rejected          |
// | wp      | disdik.batam.go.id    | reviewing (low)   |
// | git     | data.batam.go.id      | remediating (blocked) |
// | tnde    | tnde.batam.go.id      | awaiting_block    |
// | xss     | portal.batam.go.id    | assessing         |
// | xss-dup | portal.batam.go.id    | duplicate         |
// | pajak   | pajak.batam.go.id     | queued            |
//
// DISKOMINFO has four valid reports (sso, git, tnde, xss) when the last review of `sso`
// runs, more than the default threshold of 3, so its reactivation waits for the Sekda.

fn events(end: DateTime<Utc>) -> Vec<Event> {
    let mut all = Vec::new();
    all.extend(sso_events(end));
    all.extend(dinkes_events());
    all.extend(wp_events());
    all.extend(git_events());
    all.extend(tnde_events());
    all.extend(xss_events());
    all.extend(pajak_events());
    all
}

/// An instant of the story, as RFC 3339 in UTC.
fn instant(end: DateTime<Utc>, minutes_ago: i64) -> String {
    (end - TimeDelta::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

const CVSS_CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

fn sso_report() -> Value {
    json!({
        "reporter_name": "Muhammad Rizky Ramadhan",
        "reporter_email": "rizky.ramadhan@example.com",
        "reporter_phone": "0812-0000-4521",
        "severity": "critical",
        "vulnerability_type": "CWE-89",
        "target": "https://sso.batam.go.id/login",
        "title": "SQL Injection pada form login SSO ASN Pemko Batam",
        "description": "Parameter `username` pada form login SSO tidak disanitasi dan langsung \
            disisipkan ke query SQL. Penyerang dapat masuk tanpa kata sandi sebagai akun mana \
            pun, termasuk administrator, dan berpotensi membaca seluruh tabel pengguna. Saya \
            menghentikan pengujian setelah berhasil masuk satu kali dan tidak mengubah atau \
            mengunduh data apa pun.",
        "proof_of_concept": "Langkah reproduksi:\n\
            1. Buka https://sso.batam.go.id/login\n\
            2. Isi username: admin' OR '1'='1' -- -\n\
            3. Isi password: x (apa saja)\n\
            4. Klik Masuk -> diarahkan ke /dashboard sebagai \"Administrator SSO\".\n\n\
            Dengan curl:\n\
            curl -i -s -X POST 'https://sso.batam.go.id/login' \\\n  \
              --data-urlencode \"username=admin' OR '1'='1' -- -\" \\\n  \
              --data-urlencode 'password=x'\n\
            HTTP/1.1 302 Found\n\
            Location: /dashboard\n\
            Set-Cookie: SSOSESSID=9f3c...; path=/; HttpOnly\n\n\
            Uji berbasis waktu (tanpa mengambil data):\n\
            username=admin' AND SLEEP(5)-- -  -> respons tertunda +/- 5 detik\n\
            username=admin' AND SLEEP(0)-- -  -> respons normal (< 300 ms)",
        "evidence_text": "Potongan log Burp Suite (waktu WIB):\n\
            10:41:07 POST /login  username=admin'+OR+'1'%3D'1'+--+-  -> 302 /dashboard (214 ms)\n\
            10:41:09 GET  /dashboard                                  -> 200 \"Selamat datang, Administrator SSO\"\n\
            10:43:30 POST /login  username=admin'+AND+SLEEP(5)--+-     -> 200 (5.231 ms)\n\
            10:43:41 POST /login  username=admin'+AND+SLEEP(0)--+-     -> 200 (187 ms)\n\
            10:44:02 GET  /logout                                     -> 302 /login",
        "cvss_vector": CVSS_CRITICAL,
    })
}

fn sso_events(end: DateTime<Utc>) -> Vec<Event> {
    let mut events = vec![submit(ago(12, 0, 0), "sso", sso_report())];
    events.extend(sso_triage(end));
    events.extend(sso_first_round(end));
    events.extend(sso_second_round(end));
    events.extend(sso_closing());
    events
}

fn sso_triage(end: DateTime<Utc>) -> Vec<Event> {
    vec![
        act(
            ago(11, 21, 0),
            "sso",
            "csirt",
            "validate",
            json!({
                "valid": true,
                "method": "meeting",
                "findings": "Laporan direproduksi oleh Tim BATAM-CSIRT dari jaringan internal dengan \
                    akun uji: muatan uji ' OR '1'='1 pada parameter username melewati autentikasi \
                    dan muatan uji SLEEP(5) menunda respons 5 detik (injeksi SQL berbasis waktu). \
                    Laporan dinyatakan VALID dan terkait sistem elektronik SSO ASN Pemko Batam.",
                "meeting": {
                    "held_at": instant(end, ago(11, 22, 0)),
                    "place": "Ruang Rapat Diskominfo Kota Batam, Jl. Engku Putri No. 1",
                    "attendees": [
                        "Andi Pratama (Tim Internal BATAM-CSIRT)",
                        "Dewi Anggraini (Penanggung Jawab SSO, Diskominfo)",
                        "Budi Santoso (Pejabat Nama Domain)"
                    ],
                    "agency_invited": true
                }
            }),
        ),
        act(
            ago(11, 19, 0),
            "sso",
            "csirt",
            "assess",
            json!({
                "criticality": "high",
                "cvss_vector": CVSS_CRITICAL,
                "personal_data_affected": true,
                "held_at": instant(end, ago(11, 19, 30)),
                "place": "Ruang Rapat Diskominfo Kota Batam, Jl. Engku Putri No. 1",
                "attendees": ["Andi Pratama (Tim Internal BATAM-CSIRT)", "Dewi Anggraini (Diskominfo)"]
            }),
        ),
        act(
            ago(11, 18, 20),
            "sso",
            "domain",
            "block",
            json!({
                "method": "manual",
                "notes": "Virtual host sso.batam.go.id diarahkan ke halaman pemeliharaan pada reverse proxy.",
                "evidence_text": "$ curl -sI https://sso.batam.go.id/login\n\
                    HTTP/1.1 503 Service Unavailable\n\
                    Server: nginx\n\
                    Retry-After: 86400\n\n\
                    Halaman: \"Layanan sedang dalam pemeliharaan - BATAM-CSIRT\""
            }),
        ),
        act(
            ago(11, 2, 0),
            "sso",
            "csirt",
            "notify_agency",
            json!({
                "recommendation": "warning",
                "concerns": "Tim pengembang aplikasi SSO pada Bidang Aplikasi Informatika (penyedia \
                    pihak ketiga), karena kode autentikasi dirilis tanpa uji keamanan.",
                "summary": "Ditemukan kerentanan SQL injection (CWE-89, CVSS 9,8 Kritis) pada form \
                    login SSO ASN yang memungkinkan masuk tanpa kata sandi. Layanan telah \
                    ditangguhkan sementara. Mohon perbaikan dalam 7 hari kalender: gunakan \
                    prepared statement pada seluruh query autentikasi dan rotasi kata sandi akun \
                    administrator."
            }),
        ),
    ]
}

fn sso_first_round(end: DateTime<Utc>) -> Vec<Event> {
    vec![
        act(
            ago(8, 0, 0),
            "sso",
            "owner_kominfo",
            "submit_remediation",
            json!({
                "summary": "Query login pada modul auth (AuthController::login) diganti dengan \
                    prepared statement; kata sandi seluruh akun administrator dirotasi; log akses \
                    90 hari ditinjau, tidak ditemukan login mencurigakan selain uji pelapor.",
                "evidence_text": "$ git log --oneline -2\n\
                    a41c9e2 fix(auth): gunakan parameter binding pada query login\n\
                    7d02b11 chore: rotasi kredensial admin\n\
                    $ curl -s -o /dev/null -w '%{http_code}' -X POST https://sso-staging.batam.go.id/login \\\n  \
                      --data-urlencode \"username=admin' OR '1'='1' -- -\" --data-urlencode 'password=x'\n\
                    401"
            }),
        ),
        act(
            ago(7, 3, 0),
            "sso",
            "csirt",
            "send_follow_up",
            json!({
                "content": "Menindaklanjuti laporan perbaikan dari Diskominfo, Tim BATAM-CSIRT akan \
                    melakukan uji ulang terhadap form login SSO dan seluruh endpoint \
                    autentikasi, lalu membahas hasilnya dalam rapat internal."
            }),
        ),
        act(
            ago(6, 4, 0),
            "sso",
            "csirt",
            "review",
            json!({
                "fixed": false,
                "held_at": instant(end, ago(6, 5, 0)),
                "place": "Ruang Rapat Command Center Kota Batam, Lantai 3",
                "attendees": ["Andi Pratama (Tim Internal BATAM-CSIRT)", "Dewi Anggraini (Diskominfo)"],
                "notes": "Hasil uji ulang: form login web sudah aman, tetapi endpoint \
                    /api/v1/auth/login yang dipakai aplikasi mobile masih rentan terhadap muatan \
                    uji yang sama. Status: BELUM. Sistem tetap ditangguhkan; perbaikan putaran kedua \
                    diminta dalam 7 hari."
            }),
        ),
    ]
}

fn sso_second_round(end: DateTime<Utc>) -> Vec<Event> {
    vec![
        act(
            ago(2, 0, 0),
            "sso",
            "owner_kominfo",
            "submit_remediation",
            json!({
                "summary": "Endpoint /api/v1/auth/login diperbaiki; seluruh query pada modul auth dan \
                    API kini memakai parameter binding; aturan WAF untuk pola SQL injection \
                    diaktifkan; pembatasan percobaan login (5 kali per menit) ditambahkan.",
                "evidence_text": "$ curl -s -o /dev/null -w '%{http_code}' -X POST https://sso-staging.batam.go.id/api/v1/auth/login \\\n  \
                      -H 'Content-Type: application/json' -d '{\"username\":\"admin'\\'' OR '\\''1'\\''='\\''1\",\"password\":\"x\"}'\n\
                    401\n\
                    ModSecurity: Access denied with code 403 (phase 2). [id \"942100\"] SQL Injection Attack Detected"
            }),
        ),
        act(
            ago(1, 3, 0),
            "sso",
            "csirt",
            "send_follow_up",
            json!({
                "content": "Perbaikan putaran kedua dari Diskominfo telah diterima. Tim BATAM-CSIRT \
                    menjadwalkan uji ulang seluruh endpoint autentikasi SSO sebelum rapat internal."
            }),
        ),
        act(
            ago(0, 8, 0),
            "sso",
            "csirt",
            "review",
            json!({
                "fixed": true,
                "held_at": instant(end, ago(0, 9, 0)),
                "place": "Ruang Rapat Command Center Kota Batam, Lantai 3",
                "attendees": [
                    "Andi Pratama (Tim Internal BATAM-CSIRT)",
                    "Dewi Anggraini (Diskominfo)",
                    "Budi Santoso (Pejabat Nama Domain)"
                ],
                "notes": "Uji ulang terhadap form login web dan endpoint API: tidak lagi rentan, \
                    muatan uji injeksi SQL ditolak (401/403). Status: SUDAH. Diskominfo telah \
                    menerima lebih dari 3 laporan valid, sehingga pengaktifan kembali menunggu \
                    persetujuan Sekretaris Daerah."
            }),
        ),
    ]
}

fn sso_closing() -> Vec<Event> {
    let approve = act(
        ago(0, 4, 0),
        "sso",
        "sekda",
        "approve_reactivation",
        json!({
            "approved": true,
            "notes": "Disetujui pengaktifan kembali layanan SSO. Diskominfo diminta melaksanakan \
                uji penetrasi berkala sebelum setiap rilis aplikasi."
        }),
    );
    let approve = Event {
        step: only_in(approve.step, "awaiting_approval"),
        ..approve
    };
    vec![
        approve,
        act(
            ago(0, 3, 58),
            "sso",
            "domain",
            "unblock",
            json!({
                "method": "manual",
                "notes": "Konfigurasi halaman pemeliharaan dicabut dari reverse proxy.",
                "evidence_text": "$ curl -sI https://sso.batam.go.id/login\n\
                    HTTP/1.1 200 OK\n\
                    Server: nginx\n\
                    Content-Type: text/html; charset=UTF-8"
            }),
        ),
        act(
            ago(0, 3, 56),
            "sso",
            "helpdesk",
            "close",
            json!({
                "notes": "Layanan SSO aktif kembali. Pelapor telah diberi ucapan terima kasih."
            }),
        ),
    ]
}

fn only_in(step: Step, state: &'static str) -> Step {
    match step {
        Step::Act {
            who, action, body, ..
        } => Step::Act {
            who,
            action,
            body,
            only_in: Some(state),
        },
        other => other,
    }
}

fn dinkes_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Fajar Setiawan",
        "reporter_email": "fajar.setiawan@example.net",
        "severity": "high",
        "vulnerability_type": "SQL Injection (time-based blind)",
        "target": "https://dinkes.batam.go.id/?page_id=12",
        "title": "Blind SQL Injection pada parameter page_id website Dinkes",
        "description": "Pemindai otomatis menandai parameter page_id sebagai rentan blind SQL \
            injection berbasis waktu.",
        "proof_of_concept": "GET /?page_id=12'+AND+SLEEP(5)--+ HTTP/1.1\n\
            Host: dinkes.batam.go.id\n\n\
            Waktu respons: 5,3 detik (normal +/- 0,4 detik).",
        "evidence_text": "[Scanner] Blind SQL Injection (time based)\n\
            URL: https://dinkes.batam.go.id/?page_id=12\n\
            Parameter: page_id   Confidence: Tentative\n\
            Payload: 12' AND SLEEP(5)-- \n\
            Response time: 5312 ms",
    });
    vec![
        submit(ago(9, 0, 0), "dinkes", report),
        act(
            ago(8, 20, 0),
            "dinkes",
            "csirt",
            "validate",
            json!({
                "valid": false,
                "method": "ticket",
                "findings": "Uji ulang 20 kali dengan SLEEP(0) dan SLEEP(5) tidak menunjukkan \
                    perbedaan waktu respons yang konsisten; lambatnya respons saat pemindaian \
                    disebabkan beban server. WordPress mengubah page_id menjadi bilangan bulat \
                    sebelum query. Temuan pemindai merupakan positif palsu; laporan TIDAK VALID."
            }),
        ),
    ]
}

fn wp_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Nur Aisyah Putri",
        "reporter_email": "aisyah.putri@example.org",
        "severity": "medium",
        "vulnerability_type": "CWE-1104",
        "target": "https://disdik.batam.go.id/",
        "title": "Plugin WordPress usang (Elementor 3.0.x) dan enumerasi pengguna di website Disdik",
        "description": "Website Dinas Pendidikan memakai plugin Elementor versi 3.0.14 yang \
            memiliki kerentanan stored XSS publik (butuh akun kontributor). Endpoint REST API \
            juga membuka daftar nama pengguna WordPress.",
        "proof_of_concept": "$ curl -s https://disdik.batam.go.id/wp-content/plugins/elementor/readme.txt | grep 'Stable tag'\n\
            Stable tag: 3.0.14\n\n\
            $ curl -s 'https://disdik.batam.go.id/?rest_route=/wp/v2/users' | jq '.[].slug'\n\
            \"admin-disdik\"\n\
            \"operator-web\"",
        "evidence_text": "HTTP/1.1 200 OK  GET /wp-content/plugins/elementor/readme.txt\n\
            HTTP/1.1 200 OK  GET /?rest_route=/wp/v2/users  (2 pengguna)\n\
            <meta name=\"generator\" content=\"WordPress 5.6.2\" />",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
    });
    vec![
        submit(ago(8, 0, 0), "wp", report),
        act(
            ago(7, 21, 0),
            "wp",
            "csirt",
            "validate",
            json!({
                "valid": true,
                "method": "ticket",
                "findings": "Dikonfirmasi: readme.txt plugin Elementor menunjukkan versi 3.0.14 dan \
                    /wp/v2/users membuka 2 nama pengguna. Laporan VALID."
            }),
        ),
        act(
            ago(7, 20, 0),
            "wp",
            "csirt",
            "assess",
            json!({
                "criticality": "low",
                "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N"
            }),
        ),
        act(
            ago(7, 2, 0),
            "wp",
            "csirt",
            "notify_agency",
            json!({
                "recommendation": "none",
                "summary": "Website Dinas Pendidikan memakai WordPress dan plugin Elementor versi \
                    usang (CVSS 5,4 Sedang, tingkat kekritisan Rendah, tidak diblokir). Mohon \
                    memperbarui WordPress dan seluruh plugin serta membatasi endpoint daftar \
                    pengguna dalam 7 hari kalender."
            }),
        ),
        act(
            ago(1, 5, 0),
            "wp",
            "owner_disdik",
            "submit_remediation",
            json!({
                "summary": "WordPress diperbarui ke versi terbaru, Elementor dan seluruh plugin \
                    diperbarui, endpoint /wp/v2/users dibatasi untuk pengguna yang login, dan akun \
                    operator yang tidak terpakai dihapus.",
                "evidence_text": "$ wp core version\n6.6.2\n\
                    $ wp plugin list --fields=name,version,update\n\
                    elementor       3.24.7  none\n\
                    contact-form-7  5.9.8   none\n\
                    $ curl -s -o /dev/null -w '%{http_code}' 'https://disdik.batam.go.id/?rest_route=/wp/v2/users'\n401"
            }),
        ),
        act(
            ago(0, 7, 0),
            "wp",
            "csirt",
            "send_follow_up",
            json!({
                "content": "Laporan perbaikan dari Dinas Pendidikan telah diterima. Tim BATAM-CSIRT \
                    akan memverifikasi versi plugin dan pembatasan endpoint pengguna, lalu \
                    membahasnya dalam rapat internal."
            }),
        ),
    ]
}

fn git_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Dimas Aditya Nugroho",
        "reporter_email": "dimas.nugroho@example.com",
        "severity": "high",
        "vulnerability_type": "CWE-527",
        "target": "https://data.batam.go.id/.git/config",
        "title": "Direktori .git terbuka di Portal Satu Data",
        "description": "Direktori .git aplikasi dapat diakses publik sehingga seluruh kode \
            sumber dan riwayat commit dapat diunduh. Riwayat commit memuat berkas .env lama \
            berisi kredensial basis data. Kredensial tersebut tidak saya gunakan.",
        "proof_of_concept": "$ curl -s https://data.batam.go.id/.git/HEAD\n\
            ref: refs/heads/main\n\n\
            $ curl -s https://data.batam.go.id/.git/config\n\
            [core]\n\trepositoryformatversion = 0\n\tbare = false\n\
            [remote \"origin\"]\n\turl = https://gitlab.example.com/diskominfo/satudata.git\n\n\
            Seluruh repositori dapat direkonstruksi dengan git-dumper;\n\
            `git log -p -- .env` memperlihatkan DB_PASSWORD dan APP_KEY (disamarkan di laporan ini).",
        "evidence_text": "Log akses (dari sisi pelapor):\n\
            GET /.git/HEAD         200 23 B\n\
            GET /.git/config       200 261 B\n\
            GET /.git/index        200 48.112 B\n\
            GET /.git/logs/HEAD    200 9.874 B",
    });
    vec![
        submit(ago(6, 0, 0), "git", report),
        act(
            ago(5, 22, 0),
            "git",
            "csirt",
            "validate",
            json!({
                "valid": true,
                "method": "ticket",
                "findings": "Dikonfirmasi: /.git/HEAD, /.git/config dan /.git/index menjawab HTTP 200. \
                    Riwayat commit memuat berkas .env dengan kredensial basis data produksi. \
                    Laporan VALID."
            }),
        ),
        act(
            ago(5, 20, 0),
            "git",
            "csirt",
            "assess",
            json!({
                "criticality": "high",
                "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
            }),
        ),
        act(
            ago(5, 19, 30),
            "git",
            "domain",
            "block",
            json!({
                "method": "manual",
                "evidence_text": "$ curl -sI https://data.batam.go.id/\n\
                    HTTP/1.1 503 Service Unavailable\n\
                    Halaman: \"Layanan sedang dalam pemeliharaan - BATAM-CSIRT\""
            }),
        ),
        act(
            ago(5, 1, 0),
            "git",
            "csirt",
            "notify_agency",
            json!({
                "recommendation": "none",
                "summary": "Direktori .git Portal Satu Data terbuka untuk publik (CWE-527, CVSS 7,5 \
                    Tinggi) dan riwayatnya memuat kredensial basis data. Layanan ditangguhkan. \
                    Mohon: tolak akses ke /.git pada web server, hapus .git dari direktori \
                    publikasi, dan ganti seluruh kredensial yang pernah tercatat di repositori."
            }),
        ),
        act(
            ago(4, 0, 0),
            "git",
            "owner_kominfo",
            "comment",
            json!({
                "visibility": "agency",
                "body": "Sedang ditangani bersama vendor: deployment diubah ke artefak build tanpa \
                    .git, kredensial basis data sudah diganti. Laporan perbaikan menyusul."
            }),
        ),
    ]
}

fn tnde_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Yohanes Sitorus",
        "reporter_email": "yohanes.sitorus@example.com",
        "severity": "high",
        "vulnerability_type": "CWE-639",
        "target": "https://tnde.batam.go.id/surat/unduh?id=48213",
        "title": "IDOR pada unduhan dokumen surat TNDE",
        "description": "Endpoint unduhan surat hanya memeriksa bahwa pengguna sudah login, tidak \
            memeriksa apakah surat tersebut miliknya. Dengan mengganti id, akun pegawai biasa \
            dapat mengunduh surat milik perangkat daerah lain, termasuk lampiran berisi NIK.",
        "proof_of_concept": "1. Login ke https://tnde.batam.go.id dengan akun pegawai biasa.\n\
            2. Buka surat masuk sendiri: GET /surat/unduh?id=48213 -> PDF surat saya.\n\
            3. Ganti id menjadi 48212 atau 47950 -> PDF surat OPD lain ikut terunduh.\n\n\
            $ curl -s -b 'tnde_session=<sesi akun saya>' -o 48212.pdf 'https://tnde.batam.go.id/surat/unduh?id=48212'\n\
            $ file 48212.pdf\n\
            48212.pdf: PDF document, version 1.7\n\n\
            Saya hanya membuka dua dokumen untuk membuktikan dan sudah menghapusnya.",
        "evidence_text": "GET /surat/unduh?id=48213  200 application/pdf 182 KB  (surat milik pelapor)\n\
            GET /surat/unduh?id=48212  200 application/pdf 241 KB  (surat OPD lain)\n\
            GET /surat/unduh?id=47950  200 application/pdf 96 KB   (lampiran berisi NIK)",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    });
    vec![
        submit(ago(0, 14, 0), "tnde", report),
        act(
            ago(0, 12, 0),
            "tnde",
            "csirt",
            "validate",
            json!({
                "valid": true,
                "method": "ticket",
                "findings": "Dikonfirmasi dengan akun uji: server tidak memeriksa hak akses atas \
                    surat yang diminta; id berurutan sehingga seluruh arsip dapat diunduh. \
                    Laporan VALID."
            }),
        ),
        act(
            ago(0, 0, 20),
            "tnde",
            "csirt",
            "assess",
            json!({
                "criticality": "high",
                "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
                "personal_data_affected": true,
                "rationale": "Skor CVSS 6,5 (Sedang) dinaikkan menjadi Tinggi: dokumen yang terbuka \
                    memuat data pribadi (NIK) dan surat berklasifikasi rahasia, akun pegawai dimiliki \
                    ribuan ASN dan tenaga kontrak, dan id berurutan memudahkan pengunduhan massal."
            }),
        ),
        act(
            ago(0, 0, 18),
            "tnde",
            "csirt",
            "comment",
            json!({
                "visibility": "internal",
                "body": "Tingkat kekritisan Tinggi. Mohon Pejabat Nama Domain segera memblokir \
                    tnde.batam.go.id (batas waktu 1 jam)."
            }),
        ),
    ]
}

fn xss_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Putri Ayu Lestari",
        "reporter_email": "putri.lestari@example.org",
        "severity": "medium",
        "vulnerability_type": "CWE-79",
        "target": "https://portal.batam.go.id/pencarian?q=test",
        "title": "Reflected XSS pada halaman pencarian Portal Resmi",
        "description": "Kata kunci pencarian (parameter q) ditampilkan kembali di halaman hasil \
            tanpa di-escape, sehingga skrip dapat dijalankan di browser pengunjung yang membuka \
            tautan berbahaya.",
        "proof_of_concept": "Buka tautan berikut -> muncul alert berisi portal.batam.go.id:\n\
            https://portal.batam.go.id/pencarian?q=%3Cscript%3Ealert(document.domain)%3C%2Fscript%3E\n\n\
            $ curl -s 'https://portal.batam.go.id/pencarian?q=%22%3E%3Csvg%2Fonload%3Dalert(1)%3E' | grep -o '<svg/onload=alert(1)>'\n\
            <svg/onload=alert(1)>",
        "evidence_text": "Potongan respons HTML:\n\
            <h2>Hasil pencarian untuk \"\"><svg/onload=alert(1)>\"</h2>\n\
            Content-Security-Policy: (tidak ada)",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    });
    let duplicate = json!({
        "reporter_name": "Arif Hidayat",
        "reporter_email": "arif.hidayat@example.net",
        "severity": "medium",
        "vulnerability_type": "Cross-Site Scripting",
        "target": "portal.batam.go.id/pencarian",
        "title": "XSS di kolom pencarian portal.batam.go.id",
        "proof_of_concept": "https://portal.batam.go.id/pencarian?q=<img src=x onerror=alert(1)>",
        "evidence_text": "Alert \"1\" muncul di Chrome 128 dan Firefox 130.",
    });
    vec![
        submit(ago(0, 11, 0), "xss", report),
        act(
            ago(0, 9, 0),
            "xss",
            "csirt",
            "validate",
            json!({
                "valid": true,
                "method": "ticket",
                "findings": "Dikonfirmasi: nilai parameter q dipantulkan tanpa encoding pada \
                    halaman /pencarian dan tidak ada Content-Security-Policy. Laporan VALID."
            }),
        ),
        act(
            ago(0, 8, 30),
            "xss",
            "helpdesk",
            "assign",
            json!({"assignee": "csirt@demo.batam.go.id"}),
        ),
        submit(ago(0, 5, 0), "xss-dup", duplicate),
        act(
            ago(0, 4, 30),
            "xss-dup",
            "helpdesk",
            "mark_duplicate",
            json!({
                "of": "@xss",
                "reason": "Temuan yang sama (reflected XSS pada parameter q di /pencarian) sudah \
                    dilaporkan dan sedang ditangani."
            }),
        ),
    ]
}

fn pajak_events() -> Vec<Event> {
    let report = json!({
        "reporter_name": "Hendri Saputra",
        "reporter_email": "hendri.saputra@example.com",
        "reporter_phone": "0813-0000-7788",
        "severity": "high",
        "vulnerability_type": "CWE-306",
        "target": "https://pajak.batam.go.id/admin/",
        "title": "Panel admin e-Pajak dapat diakses tanpa login",
        "description": "Halaman /admin/ aplikasi e-Pajak Daerah terbuka tanpa autentikasi dan \
            menampilkan menu Data Wajib Pajak serta Pengaturan Tarif. Saya tidak mengubah \
            data apa pun.",
        "proof_of_concept": "$ curl -s -o /dev/null -w '%{http_code}\\n' https://pajak.batam.go.id/admin/\n\
            200\n\
            $ curl -s https://pajak.batam.go.id/admin/ | grep -o '<title>.*</title>'\n\
            <title>Dashboard Admin - e-Pajak Daerah Kota Batam</title>\n\
            $ curl -s 'https://pajak.batam.go.id/admin/wajib-pajak?page=1' | grep -c '<tr'\n\
            26",
        "evidence_text": "<nav>\n  <a href=\"/admin/wajib-pajak\">Data Wajib Pajak</a>\n  \
            <a href=\"/admin/tarif\">Pengaturan Tarif</a>\n  <a href=\"/admin/pengguna\">Pengguna</a>\n</nav>\n\
            (diakses tanpa cookie sesi)",
    });
    vec![
        submit(ago(0, 0, 45), "pajak", report),
        act(
            ago(0, 0, 30),
            "pajak",
            "helpdesk",
            "comment",
            json!({
                "visibility": "reporter",
                "body": "Terima kasih, laporan Anda sudah kami terima dan masuk antrean validasi \
                    Tim BATAM-CSIRT."
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sigap_core::FixedClock;
    use sigap_store::{BlobStore, Store};

    use super::*;
    use crate::{Policy, Rules};

    async fn app(dir: &std::path::Path) -> App {
        let url = format!("sqlite://{}", dir.join("d.db").display());
        let store = Store::open(&url, &Default::default()).await.expect("store");
        let blobs = BlobStore::new(dir.join("e")).expect("blobs");
        let now = Utc
            .with_ymd_and_hms(2026, 3, 18, 3, 0, 0)
            .single()
            .expect("time");
        App::new(
            store,
            blobs,
            Rules::default(),
            Policy::default(),
            Arc::new(FixedClock(now)),
        )
    }

    async fn state(app: &App, number: &str) -> String {
        app.store
            .get_ticket(number)
            .await
            .expect("read")
            .expect("ticket")
            .state
            .as_str()
            .to_owned()
    }

    #[tokio::test]
    async fn loads_once_with_tickets_in_every_state() {
        let dir = std::env::temp_dir().join(format!("sigap-demo-{}", new_secret("")));
        let app = app(&dir).await;
        let first = load_demo(&app).await.expect("first load");
        assert!(first.loaded);
        assert_eq!(first.users.len(), USERS.len());
        assert!(first.users.iter().all(|u| u.password.chars().count() >= 12));
        let mut states = Vec::new();
        for number in &first.tickets {
            states.push(state(&app, number).await);
        }
        let expected = [
            "closed",
            "rejected",
            "reviewing",
            "remediating",
            "awaiting_block",
            "assessing",
            "duplicate",
            "queued",
        ];
        assert_eq!(states, expected);
        let closed = app
            .store
            .get_ticket(&first.tickets[0])
            .await
            .expect("read")
            .expect("ticket");
        assert_eq!(
            closed.round, 2,
            "rounds start at 1; one `Belum` loop adds one"
        );
        assert!(!closed.blocked);
        let steps = app.store.list_step_records(closed.id).await.expect("steps");
        let walked: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
        assert!(
            walked.contains(&"approve_reactivation"),
            "the Sekda approved: {walked:?}"
        );
        assert_eq!(walked.iter().filter(|a| **a == "review").count(), 2);
        let remediating = app
            .store
            .get_ticket(&first.tickets[3])
            .await
            .expect("read")
            .expect("ticket");
        assert!(remediating.blocked);
        let chain = app.store.verify_audit_chain().await.expect("audit");
        assert!(matches!(chain, sigap_store::ChainStatus::Intact { .. }));
        let second = load_demo(&app).await.expect("second load");
        assert!(!second.loaded && second.users.is_empty() && second.tickets.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
