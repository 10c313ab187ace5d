//! Helpers for the workbook's own tests: where the workbook is, and a
//! throw-away copy of it for tests that change files.
//!
//! Copies build into a target directory of their own, kept inside the
//! original's (`CARGO_TARGET_DIR`, or `<root>/target`) as `workbook-copies/`,
//! so the dependencies are built there once and reused by every later copy.
//! It cannot be the original's own target directory: cargo names a workspace
//! member's artifacts after its path *relative to the workspace root*, so a
//! copy's `ports` and the original's `ports` would write the same files, and
//! cargo, which judges freshness by timestamps, would then run the copy's
//! (newer) binaries for the original.

#![allow(dead_code)] // each test file uses its own share of these helpers

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::{Mutex, MutexGuard, PoisonError};

use assert_cmd::Command;
use netlab::workbook::Workbook;
use tempfile::TempDir;

/// Lets one test at a time run cargo (a build, `cargo metadata`, or the
/// `netlab` binary that calls them). The tests of one file run in parallel,
/// and cargo processes sharing a target directory can trip over each other
/// (rust-lang/cargo#16384): a build then fails for no reason of its own.
/// Hold the guard for the whole test.
pub fn one_cargo_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    // A test that panicked while holding the guard leaves nothing half done.
    TURN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The workbook these tests belong to.
pub fn workbook_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory the workbook's own builds use.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workbook_root().join(dir), // a relative one is the root's
        None => workbook_root().join("target"),
    }
}

/// The workbook's exercises, read from their metadata.
pub fn workbook() -> Workbook {
    Workbook::load(&workbook_root()).expect("the workbook's metadata reads")
}

/// A copy of the workbook in a temporary folder, removed when dropped.
pub struct WorkbookCopy {
    _dir: TempDir,
    /// The copy's root folder.
    pub root: PathBuf,
}

/// Where copies of the workbook build (see the module's notes).
pub fn copies_target_dir() -> PathBuf {
    target_dir().join("workbook-copies")
}

/// Copies the workbook, all but `target/`, `.git/` and `.netlab/`.
pub fn copy_workbook() -> WorkbookCopy {
    let dir = tempfile::Builder::new()
        .prefix("netlab-copy-")
        .tempdir()
        .expect("a temporary folder");
    let root = dir.path().join("workbook");
    copy_tree(&workbook_root(), &root, &["target", ".git", ".netlab"]);
    WorkbookCopy { _dir: dir, root }
}

/// Copies `from` into `to`, leaving out the top-level entries in `skip`.
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read the folder to copy") {
        let entry = entry.expect("a folder entry");
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, &[]);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

impl WorkbookCopy {
    /// `cargo lab` (the `netlab` binary) run inside the copy, plain text.
    pub fn lab(&self) -> Command {
        let mut command = Command::cargo_bin("netlab").expect("the netlab binary");
        command
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", copies_target_dir())
            .env("NO_COLOR", "1")
            .env_remove("NETLAB_ROOT")
            .env_remove("RUST_BACKTRACE")
            // A copy outside any git checkout must not find one further up.
            .env("GIT_CEILING_DIRECTORIES", self.ceiling());
        command
    }

    /// The folder holding the copy: git looks no further up than this.
    fn ceiling(&self) -> &Path {
        self.root.parent().expect("the copy has a parent folder")
    }

    /// The copy's exercises.
    pub fn workbook(&self) -> Workbook {
        Workbook::load(&self.root).expect("the copy's metadata reads")
    }

    /// Copies the solution's `src/` over the exercise's `src/`.
    pub fn solve(&self, package: &str) {
        let workbook = self.workbook();
        let exercise = workbook.exercise(package).expect("the exercise exists");
        let solution = exercise.solution.as_ref().expect("it has a solution");
        std::fs::remove_dir_all(exercise.src_dir()).expect("remove the stub");
        copy_tree(&solution.dir.join("src"), &exercise.src_dir(), &[]);
    }

    /// Makes the copy a git repository with everything committed.
    pub fn git_init(&self) {
        self.git(&["init", "--quiet"]);
        self.git(&["add", "--all"]);
        self.git(&[
            "commit",
            "--quiet",
            "--message",
            "The workbook as handed out",
        ]);
    }

    /// Runs git in the copy, as a fixed user who signs nothing, and fails
    /// the test if git fails.
    pub fn git(&self, args: &[&str]) {
        let status = StdCommand::new("git")
            .current_dir(&self.root)
            .env("GIT_CEILING_DIRECTORIES", self.ceiling())
            .args([
                "-c",
                "user.name=netlab",
                "-c",
                "user.email=netlab@example.org",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?} failed");
    }

    /// A `git clone` of this copy (which must be a git repository) in a
    /// temporary folder of its own: its `origin/main` is this copy's `main`,
    /// as a student's clone of their own fork has.
    pub fn git_clone(&self) -> WorkbookCopy {
        let dir = tempfile::Builder::new()
            .prefix("netlab-clone-")
            .tempdir()
            .expect("a temporary folder");
        let root = dir.path().join("workbook");
        let status = StdCommand::new("git")
            .env("GIT_CEILING_DIRECTORIES", self.ceiling())
            .args(["clone", "--quiet"])
            .arg(&self.root)
            .arg(&root)
            .status()
            .expect("git runs");
        assert!(status.success(), "git clone failed");
        WorkbookCopy { _dir: dir, root }
    }
}

/// Small TCP servers for the probes' tests, each handing every connection
/// to a handler; they live as long as the test binary.
pub mod tcp {
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::sync::Arc;
    use std::thread;

    use netlab::probe::Report;

    /// What a server does with one connection.
    pub type Handler = Arc<dyn Fn(TcpStream) + Send + Sync>;

    /// A server on 127.0.0.1 (port from the OS) with a thread per connection.
    pub fn serve_each(handler: Handler) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a TCP listener");
        let addr = listener.local_addr().expect("a bound listener");
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Arc::clone(&handler);
                thread::spawn(move || handler(stream));
            }
        });
        addr
    }

    /// A server on 127.0.0.1 that serves one connection after the other,
    /// the mistake of a first server.
    pub fn serve_in_turn(handler: Handler) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a TCP listener");
        let addr = listener.local_addr().expect("a bound listener");
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                handler(stream);
            }
        });
        addr
    }

    /// The names of the checks a report failed (MUSTs and SHOULDs).
    pub fn failed_names(report: &Report) -> Vec<&str> {
        report.failures().map(|check| check.name.as_str()).collect()
    }
}

/// Builds `bin` of `package` with the workbook's cargo, one cargo at a
/// time, and returns the executable's path.
pub fn build_binary(package: &str, bin: &str) -> PathBuf {
    let _cargo = one_cargo_at_a_time();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = StdCommand::new(cargo)
        .current_dir(workbook_root())
        .args(["build", "--quiet", "--package", package, "--bin", bin])
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cargo build -p {package} --bin {bin} failed"
    );
    let executable = target_dir()
        .join("debug")
        .join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        executable.is_file(),
        "no {} after the build",
        executable.display()
    );
    executable
}

/// Real programs the tests talk to, found on this machine or reported
/// missing: a missing one makes its test say `SKIPPED: …` and pass, unless
/// `NETLAB_REQUIRE_PEERS=1` (CI) makes it fail.
pub mod peers {
    use std::io::{BufRead, BufReader, Write as _};
    use std::net::SocketAddr;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// Says something on the test's real stderr, past libtest's capture.
    pub fn loud(message: &str) {
        let _ = writeln!(std::io::stderr(), "{message}");
    }

    /// `NETLAB_REQUIRE_PEERS=1`: a missing peer is a failure, not a skip.
    pub fn required() -> bool {
        std::env::var("NETLAB_REQUIRE_PEERS").is_ok_and(|v| v == "1")
    }

    /// An executable `name` on PATH or in the sbin folders, or at one of
    /// `also`.
    pub fn find_program(name: &str, also: &[&str]) -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::env::split_paths(&path)
            .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from));
        let candidates = also
            .iter()
            .map(PathBuf::from)
            .chain(dirs.map(|d| d.join(name)));
        candidates.into_iter().find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    }

    /// `found`, or `None` after saying loudly that the peer is missing (a
    /// panic under `NETLAB_REQUIRE_PEERS=1`).
    pub fn or_skip(
        what: &str,
        install: &str,
        found: Option<PathBuf>,
    ) -> Option<PathBuf> {
        if found.is_some() {
            return found;
        }
        let message = format!("{what} is not installed ({install})");
        if required() {
            panic!("NETLAB_REQUIRE_PEERS=1 and {message}");
        }
        loud(&format!("SKIPPED: {message}"));
        None
    }

    /// A child process killed and reaped when dropped, even on a panic.
    pub struct KillOnDrop(pub Child);

    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Starts `program ARGS`, a server that prints `listening on ADDR` as
    /// its first line, and returns it with that address.
    pub fn start_listening(
        program: &Path,
        args: &[&str],
    ) -> (KillOnDrop, SocketAddr) {
        let shown = format!("{} {}", program.display(), args.join(" "));
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start `{shown}`: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let child = KillOnDrop(child);
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            if reader.read_line(&mut line).is_ok() {
                let _ = tx.send(line);
            }
            // Keep reading, so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                panic!("`{shown}` printed no first line within 20 s")
            });
        let addr = line
            .trim_end()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                panic!("`{shown}`: expected `listening on ADDR` first, got {line:?}")
            });
        (child, addr)
    }
}
