//! `netlab-launcher BIN [ARGS…]`: builds the workbook's binary `BIN` (of
//! the `netlab` package) and runs it with `ARGS`, saying what is happening
//! while cargo builds.
//!
//! `cargo lab` (an alias in `.cargo/config.toml`) and the book's
//! preprocessor (in `book.toml`) start here. On a fresh clone, building
//! `netlab` and its dependencies takes a minute or so, and a quiet
//! `cargo run -q` would show nothing at all in that time; a loud
//! `cargo run` would print its `Finished` and `Running` lines on every later
//! run too. So this small crate, which has no dependencies and builds in a
//! second, runs `cargo build -q --message-format=json` itself: when cargo
//! starts compiling (or is still busy after [`PATIENCE`], downloading), it
//! says so on stderr, with a count of the crates built so far; when
//! everything is fresh, it prints nothing. Then it runs the binary cargo
//! reported, passing stdin, stdout and the exit code through.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a build may stay silent before we say that it is running.
const PATIENCE: Duration = Duration::from_millis(1500);

/// The package whose binaries this starts.
const PACKAGE: &str = "netlab";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(bin) = args.next().and_then(|b| b.into_string().ok()) else {
        eprintln!(
            "usage: netlab-launcher BIN [ARGS…]   (BIN: netlab or netlab-book)"
        );
        return ExitCode::from(2);
    };
    let executable = match build(&bin) {
        Ok(executable) => executable,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    run(executable, args)
}

/// The workspace's `Cargo.toml`: the one above this crate's folder.
fn workspace_manifest() -> PathBuf {
    // `cargo run` tells the program where its package is; the path from
    // the build is the fallback.
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.parent()
        .map_or(here.clone(), PathBuf::from)
        .join("Cargo.toml")
}

/// What cargo's build said, line by line, as the launcher needs it.
enum Report {
    /// A crate was compiled (not merely found fresh): its name.
    Compiled(String),
    /// The binary we asked for is ready here.
    Executable(PathBuf),
    /// The build ended: whether it succeeded.
    Done(bool),
}

/// Builds `bin` with cargo, telling the reader about it when it takes
/// time, and returns the path of the executable.
fn build(bin: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(&cargo)
        .args(["build", "--quiet", "--package", PACKAGE, "--bin", bin])
        // Compiler errors still reach the reader, rendered as usual.
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(workspace_manifest())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cargo lab: cannot start cargo: {e}"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("cargo lab: no output from cargo")?;

    let (reports, inbox) = mpsc::channel();
    let done = reports.clone();
    let wanted = bin.to_owned();
    let reader = thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(report) = read_line(&line, &wanted) {
                let _ = reports.send(report);
            }
        }
    });
    let waiter = thread::spawn(move || {
        let succeeded = child.wait().is_ok_and(|status| status.success());
        let _ = reader.join();
        let _ = done.send(Report::Done(succeeded));
    });

    let mut progress = Progress::new(bin);
    let mut executable = None;
    loop {
        let report = match inbox.recv_timeout(PATIENCE) {
            Ok(report) => report,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                progress.announce();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Report::Done(false),
        };
        match report {
            Report::Compiled(name) => progress.compiled(&name),
            Report::Executable(path) => executable = Some(path),
            Report::Done(succeeded) => {
                let _ = waiter.join();
                progress.finish(succeeded);
                if !succeeded {
                    return Err(format!(
                        "cargo lab: building {bin} failed (cargo's messages are above)"
                    ));
                }
                return executable.ok_or_else(|| {
                    format!(
                        "cargo lab: cargo built {bin} but did not say where it is"
                    )
                });
            }
        }
    }
}

/// Reads one of cargo's JSON messages: a crate compiled, or the binary.
fn read_line(line: &str, bin: &str) -> Option<Report> {
    if !line.starts_with(r#"{"reason":"compiler-artifact""#) {
        return None;
    }
    let target = format!(r#""kind":["bin"],"crate_types":["bin"],"name":"{bin}""#);
    if line.contains(&target)
        && let Some(path) = string_field(line, "executable")
    {
        return Some(Report::Executable(PathBuf::from(path)));
    }
    if line.contains(r#""fresh":false"#) {
        let name = string_field(line, "name").unwrap_or_default();
        return Some(Report::Compiled(name));
    }
    None
}

/// The first string value of `"key":` in a line of JSON, unescaped.
fn string_field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!(r#""{key}":""#))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => value.push(other), // \\ \" \/
            },
            c => value.push(c),
        }
    }
    None
}

/// What the reader sees of a build: nothing when it is quick, a line when
/// it is not, a running count on a terminal.
struct Progress {
    bin: String,
    started: Instant,
    announced: bool,
    compiled: usize,
    terminal: bool,
}

impl Progress {
    fn new(bin: &str) -> Progress {
        Progress {
            bin: bin.to_owned(),
            started: Instant::now(),
            announced: false,
            compiled: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Says, once, what is being built and how long it takes.
    fn announce(&mut self) {
        if self.announced {
            return;
        }
        self.announced = true;
        let (who, what) = if self.bin == PACKAGE {
            ("cargo lab", "the workbook's command line")
        } else {
            (
                "netlab",
                "the book's preprocessor, which fills in the exercise pages",
            )
        };
        eprintln!(
            "{who}: building {what} (a minute or two the first time, a few seconds \
             after an update; later runs start at once) …"
        );
    }

    /// One more crate compiled.
    fn compiled(&mut self, name: &str) {
        self.announce();
        self.compiled += 1;
        if self.terminal {
            let mut stderr = std::io::stderr();
            let _ = write!(
                stderr,
                "\r\x1b[K  {} compiled, {} s: {name}",
                crates(self.compiled),
                self.started.elapsed().as_secs()
            );
            let _ = stderr.flush();
        }
    }

    /// Closes the running count with how long the build took.
    fn finish(&self, succeeded: bool) {
        if !self.announced {
            return;
        }
        let clear = if self.terminal { "\r\x1b[K" } else { "" };
        let how = if succeeded { "ready" } else { "stopped" };
        let who = if self.bin == PACKAGE {
            "cargo lab"
        } else {
            "netlab"
        };
        eprintln!(
            "{clear}{who}: {how} after {} s ({} compiled)",
            self.started.elapsed().as_secs(),
            crates(self.compiled)
        );
    }
}

/// `1 crate`, `37 crates`.
fn crates(n: usize) -> String {
    if n == 1 {
        "1 crate".to_owned()
    } else {
        format!("{n} crates")
    }
}

/// Runs the built binary in our place: same arguments after BIN, same
/// stdin and stdout, same exit code.
fn run(
    executable: PathBuf,
    args: impl Iterator<Item = std::ffi::OsString>,
) -> ExitCode {
    let mut command = Command::new(&executable);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Replaces this process: signals and the exit code are the binary's own.
        let error = command.exec();
        eprintln!("cargo lab: cannot start {}: {error}", executable.display());
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
        Err(error) => {
            eprintln!("cargo lab: cannot start {}: {error}", executable.display());
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTIFACT: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///w#netlab@0.1.0","manifest_path":"/w/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"netlab","src_path":"/w/src/main.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"0"},"features":[],"filenames":["/w/target/debug/netlab"],"executable":"/w/target/debug/net\"lab","fresh":true}"#;

    #[test]
    fn the_binary_is_found_in_its_artifact_line() {
        match read_line(ARTIFACT, "netlab") {
            Some(Report::Executable(path)) => {
                assert_eq!(path, PathBuf::from("/w/target/debug/net\"lab"));
            }
            _ => panic!("no executable found"),
        }
        assert!(
            read_line(ARTIFACT, "netlab-book").is_none(),
            "a fresh other crate"
        );
    }

    #[test]
    fn a_crate_compiled_afresh_is_counted() {
        let line = r#"{"reason":"compiler-artifact","package_id":"x","manifest_path":"/r/serde/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"serde","src_path":"/r/lib.rs"},"executable":null,"fresh":false}"#;
        match read_line(line, "netlab") {
            Some(Report::Compiled(name)) => assert_eq!(name, "serde"),
            _ => panic!("not counted"),
        }
        assert!(
            read_line(r#"{"reason":"build-finished","success":true}"#, "netlab")
                .is_none()
        );
    }
}
