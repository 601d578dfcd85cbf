//! The operator's kit in `deploy/`: the systemd unit keeps its hardening and passes
//! `systemd-analyze verify` (skipped, with a notice, where systemd is not installed), with
//! its `ExecStart` pointed at the binary under test. `systemd-analyze` exits 0 even on an
//! unknown key, so any line it writes about the unit fails the test.

use std::process::Command;

fn repository() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_systemd_unit_is_hardened_and_verifies() {
    let unit = std::fs::read_to_string(repository().join("deploy/sigap.service")).unwrap();
    for line in [
        "ExecStart=/usr/bin/sigap serve",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/sigap",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "KillSignal=SIGTERM",
    ] {
        assert!(unit.contains(line), "the unit lacks `{}`", line.trim());
    }
    let example = std::fs::read_to_string(repository().join("deploy/sigap.env.example")).unwrap();
    assert!(example.contains("#SIGAP_SECRET_KEY=") && example.contains("#SIGAP_BLOB_URL=s3://"));
    let Ok(version) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("skipped: systemd-analyze is not installed");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sigap.service");
    let here = unit
        .replace("/usr/bin/sigap", env!("CARGO_BIN_EXE_sigap"))
        .replace(
            "EnvironmentFile=/etc/sigap/",
            "EnvironmentFile=-/etc/sigap/",
        );
    std::fs::write(&path, here).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    let about_unit: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("sigap.service"))
        .collect();
    assert!(out.status.success() && about_unit.is_empty(), "{said}");
}
