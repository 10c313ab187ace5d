//! The launcher as `cargo lab` runs it, with a stand-in for cargo: a script
//! that prints what cargo's build would print, after a pause or at once.
//! Nothing here builds anything, so it runs in a moment.

#![cfg(unix)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A stand-in for `cargo build --message-format=json`: after `pause`, it
/// reports one crate compiled (or found fresh) and the `netlab` binary,
/// which is `/bin/echo` so that running it shows the arguments passed on.
fn fake_cargo(dir: &Path, pause: &str, fresh: bool) -> std::path::PathBuf {
    let script = dir.join("cargo");
    let fresh = if fresh { "true" } else { "false" };
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nsleep {pause}\n\
             echo '{{\"reason\":\"compiler-artifact\",\"package_id\":\"x\",\"target\":{{\"kind\":[\"lib\"],\"crate_types\":[\"lib\"],\"name\":\"serde\"}},\"executable\":null,\"fresh\":{fresh}}}'\n\
             echo '{{\"reason\":\"compiler-artifact\",\"package_id\":\"y\",\"target\":{{\"kind\":[\"bin\"],\"crate_types\":[\"bin\"],\"name\":\"netlab\"}},\"executable\":\"/bin/echo\",\"fresh\":{fresh}}}'\n\
             echo '{{\"reason\":\"build-finished\",\"success\":true}}'\n"
        ),
    )
    .expect("write the stand-in");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("make it executable");
    script
}

/// Runs the launcher with `cargo` standing in, for at most 30 s.
fn launch(cargo: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netlab-launcher"))
        .args(["netlab", "list", "--format", "json"])
        .env("CARGO", cargo)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the launcher");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("the launcher's status").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the launcher did not finish within 30 s");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Output {
        status: child.wait().unwrap(),
        stdout: stdout.into_bytes(),
        stderr: stderr.into_bytes(),
    }
}

/// When cargo compiles, the reader is told what is built, how long it
/// takes, and when it is ready; then the binary runs with the arguments.
#[test]
fn a_build_is_announced_with_its_duration() {
    let dir = tempfile_dir();
    let output = launch(&fake_cargo(&dir, "0", false));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("building the workbook's command line"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a minute or two the first time"),
        "{stderr}"
    );
    assert!(stderr.contains("ready after"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "list --format json\n"
    );
}

/// A build that stays silent (cargo downloading) is announced after a
/// moment all the same.
#[test]
fn a_silent_slow_build_is_announced_too() {
    let dir = tempfile_dir();
    let output = launch(&fake_cargo(&dir, "3", true));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("building the workbook's command line"),
        "{stderr}"
    );
}

/// When everything is built already, nothing but the binary's own output.
#[test]
fn a_fresh_build_prints_nothing() {
    let dir = tempfile_dir();
    let output = launch(&fake_cargo(&dir, "0", true));
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "list --format json\n"
    );
}

/// A folder of its own for each test, removed when the test ends.
struct TempDir(std::path::PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A folder of its own for each test, under the system's temporary folder.
fn tempfile_dir() -> TempDir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "netlab-launcher-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    TempDir(dir)
}
