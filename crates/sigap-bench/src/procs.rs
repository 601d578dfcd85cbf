//! Running the `sigap` binary under test: a scratch data directory, a free loopback port,
//! the server process (killed when dropped, so no error path leaves one behind), its health
//! check, and the admin commands.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A directory under the system's temp dir, removed when dropped unless kept.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    keep: bool,
}

static NEXT_DIR: AtomicU32 = AtomicU32::new(0);

impl ScratchDir {
    pub fn new(label: &str, keep: bool) -> anyhow::Result<ScratchDir> {
        let base = std::env::temp_dir();
        for _ in 0..1000 {
            let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("sigap-bench-{label}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(ScratchDir { path, keep }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        bail!(
            "cannot find a free scratch directory name under {}",
            base.display()
        )
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A loopback port that was free a moment ago (the listener is closed before returning).
pub fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A running `sigap serve`. Dropping it kills the process.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub pid: u32,
    pub base_url: String,
    pub started: Instant,
}

/// The environment of every `sigap` command the tool runs: the data directory, and quiet
/// logs unless `SIGAP_LOG` says otherwise. The rest of the environment passes through, so
/// `SIGAP_DATABASE_URL` or `SIGAP_SQLITE_SYNC` set by the caller reach the server.
fn sigap_command(bin: &Path, data_dir: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("SIGAP_DATA_DIR", data_dir);
    if std::env::var_os("SIGAP_LOG").is_none() {
        cmd.env("SIGAP_LOG", "warn");
    }
    cmd
}

impl Server {
    /// Starts `bin serve` on `127.0.0.1:port` over `data_dir`; its output goes to `log`.
    pub fn spawn(bin: &Path, data_dir: &Path, port: u16, log: &Path) -> anyhow::Result<Server> {
        Self::spawn_with(bin, data_dir, port, log, &[])
    }

    /// [`Server::spawn`] with more environment variables.
    pub fn spawn_with(
        bin: &Path,
        data_dir: &Path,
        port: u16,
        log: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let out = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let err = out.try_clone()?;
        let listen = format!("127.0.0.1:{port}");
        let started = Instant::now();
        // The load comes from one address: the report limits per address are off.
        let child = sigap_command(bin, data_dir)
            .arg("serve")
            .env("SIGAP_LISTEN", &listen)
            .env("SIGAP_REPORTS_PER_HOUR", "0")
            .env("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("cannot start {} serve", bin.display()))?;
        Ok(Server {
            pid: child.id(),
            child: Some(child),
            base_url: format!("http://{listen}"),
            started,
        })
    }

    /// Waits until `/healthz` answers 200; answers the time since the spawn.
    pub async fn wait_healthy(&mut self, timeout: Duration) -> anyhow::Result<Duration> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .pool_max_idle_per_host(0)
            .build()?;
        let url = format!("{}/healthz", self.base_url);
        let limit = Instant::now() + timeout;
        while Instant::now() < limit {
            if let Ok(resp) = client.get(&url).send().await
                && resp.status().as_u16() == 200
            {
                return Ok(self.started.elapsed());
            }
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("the server exited before it was healthy ({status})");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        bail!("the server did not answer /healthz with 200 within {timeout:?}")
    }

    /// SIGKILL, as `kill -9` does, and reap the process.
    pub fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().context("cannot kill the server")?;
            child.wait().context("cannot reap the server")?;
        }
        Ok(())
    }

    /// SIGTERM (a graceful stop), then SIGKILL if it is still running after 10 s.
    pub fn terminate(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        if sent.is_ok_and(|s| s.success()) {
            let limit = Instant::now() + Duration::from_secs(10);
            while Instant::now() < limit {
                if child.try_wait()?.is_some() {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        child.kill().context("cannot kill the server")?;
        child.wait().context("cannot reap the server")?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs an admin command of `bin` over `data_dir`; answers its standard output.
pub fn admin(bin: &Path, data_dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = sigap_command(bin, data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {} {}", bin.display(), args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "`sigap {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The last lines of a log file, to explain a failure.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
