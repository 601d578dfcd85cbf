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

/// The Debian package, made by `cargo deb` (`scripts/test` installs cargo-deb; skipped with a
/// notice without it unless `SIGAP_REQUIRE_PACKAGING=1`): the binary, the unit, the settings
/// file as a conffile readable by the service's group, and a postinst that makes the system
/// user and passes `sh -n`. The package is made around a small stand-in for the release
/// binary (a debug build is over a gigabyte): what is checked is the packaging.
#[test]
fn the_debian_package_holds_the_service() {
    let has_deb = Command::new("cargo")
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_deb {
        assert!(
            std::env::var("SIGAP_REQUIRE_PACKAGING").as_deref() != Ok("1"),
            "cargo-deb is required (SIGAP_REQUIRE_PACKAGING=1) but not installed"
        );
        eprintln!("skipped: cargo-deb is not installed (scripts/test installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target_dir = dir.path().join("target");
    std::fs::create_dir_all(target_dir.join("release")).unwrap();
    std::fs::copy("/bin/true", target_dir.join("release/sigap")).unwrap();
    let deb = dir.path().join("sigap.deb");
    let out = Command::new("cargo")
        .current_dir(repository())
        .args(["deb", "-p", "sigap", "--no-build", "--no-strip", "--fast"])
        .arg("--output")
        .arg(&deb)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo deb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let contents = Command::new("dpkg-deb")
        .arg("--contents")
        .arg(&deb)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&contents.stdout);
    for path in [
        "./usr/bin/sigap",
        "./lib/systemd/system/sigap.service",
        "./etc/sigap/sigap.env",
        "./usr/share/doc/sigap/deploy.md",
    ] {
        assert!(
            listing.contains(path),
            "{path} is not in the package:\n{listing}"
        );
    }
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("-rw-r-----") && l.ends_with("./etc/sigap/sigap.env")),
        "{listing}"
    );
    let control = dir.path().join("control");
    let extracted = Command::new("dpkg-deb")
        .arg("--control")
        .arg(&deb)
        .arg(&control)
        .status()
        .unwrap();
    assert!(extracted.success());
    let conffiles = std::fs::read_to_string(control.join("conffiles")).unwrap();
    assert!(conffiles.contains("/etc/sigap/sigap.env"), "{conffiles}");
    let fields = std::fs::read_to_string(control.join("control")).unwrap();
    assert!(
        fields.contains("Package: sigap") && fields.contains("adduser"),
        "{fields}"
    );
    let postinst = control.join("postinst");
    let script = std::fs::read_to_string(&postinst).unwrap();
    assert!(script.contains("adduser --system --group"), "{script}");
    let syntax = Command::new("sh")
        .arg("-n")
        .arg(&postinst)
        .status()
        .unwrap();
    assert!(syntax.success());
}
