//! `sigap doctor`: checks a deployment with the settings `serve` would read, changing
//! nothing, and prints a table of ok / warn / fail with the fix for each (`--json` for
//! monitoring). The exit status is 1 when a check failed, 0 otherwise (warnings included).
//!
//! Nothing is created: a missing SQLite file or key file is reported, not made; the
//! database is not migrated; SMTP is greeted and signed in to, and no mail is sent; the
//! blocking adapters read and test, and block nothing.

mod checks;
mod outside;

use std::process::ExitCode;

use serde::Serialize;

use crate::config::DatabaseArgs;

use super::serve::WorkerArgs;

#[derive(Debug, clap::Args)]
pub(super) struct DoctorArgs {
    /// What `serve` and `worker` read: the address, the rules, the mail.
    #[command(flatten)]
    settings: WorkerArgs,
    /// One JSON object (`status`, and `checks` with `name`, `status`, `detail`, `fix`)
    /// instead of the table.
    #[arg(long)]
    json: bool,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One line of the report: what was checked, how it came out, what was found and, unless
/// it is ok, what to do.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn new(
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
    ) -> Check {
        Check {
            name: name.into(),
            status,
            detail: detail.into(),
            fix,
        }
    }

    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check::new(name, Status::Ok, detail, None)
    }

    pub fn warn(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check::new(name, Status::Warn, detail, Some(fix.into()))
    }

    pub fn fail(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check::new(name, Status::Fail, detail, Some(fix.into()))
    }
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    status: Status,
    checks: &'a [Check],
}

pub(super) async fn doctor(db: &DatabaseArgs, args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let checks = checks::run(db, &args).await;
    let worst = checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    if args.json {
        let report = Report {
            status: worst,
            checks: &checks,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&checks));
    }
    Ok(if worst == Status::Fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The checks as a table, the fix under each check that is not ok, and a last line that
/// counts them.
fn table(checks: &[Check]) -> String {
    let width = checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!("{:width$}  {:7}{}\n", "CHECK", "STATUS", "DETAIL");
    for check in checks {
        out.push_str(&format!(
            "{:width$}  {:7}{}\n",
            check.name,
            check.status.as_str(),
            check.detail
        ));
        if let Some(fix) = &check.fix {
            out.push_str(&format!("{:width$}  {:7}fix: {fix}\n", "", ""));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "\n{} ok, {} warn, {} fail\n",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up_and_gives_the_fixes() {
        let checks = vec![
            Check::ok("database", "SQLite, schema 42 of 42"),
            Check::fail("smtp", "no answer", "check SIGAP_SMTP_URL"),
        ];
        let text = table(&checks);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "CHECK     STATUS DETAIL");
        assert_eq!(lines[1], "database  ok     SQLite, schema 42 of 42");
        assert_eq!(lines[2], "smtp      fail   no answer");
        assert_eq!(lines[3], "                 fix: check SIGAP_SMTP_URL");
        assert_eq!(lines[5], "1 ok, 0 warn, 1 fail");
        assert!(Status::Fail > Status::Warn && Status::Warn > Status::Ok);
    }
}
