//! Building an exercise's test binaries, one per step, with cargo.
//!
//! `cargo build --keep-going --test step1_… --test step2_…` compiles exactly
//! the graded test targets (with the test profile, so the binaries are the
//! very ones `cargo test` would run) and, thanks to `--keep-going`, still
//! builds the steps that compile when another does not. Cargo's JSON messages
//! name each test binary and carry rustc's rendered diagnostics.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use anyhow::{Context, Result};
use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Message, TargetKind};

/// One compiled test target.
#[derive(Debug, Clone)]
pub struct TestBinary {
    /// The executable to run.
    pub executable: PathBuf,
    /// The test file it was built from (`tests/<step>.rs`).
    pub source: PathBuf,
}

/// What a build produced.
#[derive(Debug, Clone, Default)]
pub struct Build {
    /// The test binaries that compiled, by target name (= step test name).
    pub binaries: BTreeMap<String, TestBinary>,
    /// rustc's rendered error messages, in the order they came.
    pub errors: Vec<String>,
    /// Whether cargo reported success.
    pub succeeded: bool,
    /// What cargo printed on stderr: its own errors ("no test target named
    /// …") that are not compiler diagnostics.
    pub cargo_stderr: String,
}

impl Build {
    /// The text to show a person when the build failed: the compiler's
    /// errors, or cargo's own complaint when there were none.
    pub fn failure_text(&self) -> Option<String> {
        if self.succeeded {
            return None;
        }
        if !self.errors.is_empty() {
            return Some(self.errors.join("\n").trim_end().to_owned());
        }
        let cargo_errors: Vec<&str> = self
            .cargo_stderr
            .lines()
            .skip_while(|line| !line.trim_start().starts_with("error"))
            .collect();
        Some(if cargo_errors.is_empty() {
            self.cargo_stderr.trim_end().to_owned()
        } else {
            cargo_errors.join("\n")
        })
    }
}

/// How to call cargo for one package's test targets.
pub(crate) struct BuildRequest<'a> {
    pub cargo: &'a OsString,
    pub workspace: &'a Path,
    pub package: &'a str,
    pub tests: &'a [String],
    pub target_dir: Option<&'a Path>,
    pub color: bool,
}

/// Builds the test targets and reads what cargo said.
pub(crate) fn build(request: &BuildRequest) -> Result<Build> {
    let format = if request.color {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    let mut command = Command::new(request.cargo);
    command
        .current_dir(request.workspace)
        .arg("build")
        .arg("--manifest-path")
        .arg(request.workspace.join("Cargo.toml"))
        .args(["--package", request.package, "--keep-going", format])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for test in request.tests {
        command.args(["--test", test]);
    }
    if let Some(dir) = request.target_dir {
        command.arg("--target-dir").arg(dir);
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting `cargo build -p {}`", request.package))?;

    let mut stderr_pipe =
        child.stderr.take().context("cargo's stderr is missing")?;
    let stderr_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });

    let mut build = Build::default();
    let stdout = child.stdout.take().context("cargo's stdout is missing")?;
    for message in Message::parse_stream(BufReader::new(stdout)) {
        let message = message.context("reading cargo's build messages")?;
        read_message(message, request.tests, &mut build);
    }
    let status = child.wait().context("waiting for cargo build")?;
    build.cargo_stderr = stderr_reader.join().unwrap_or_default();
    build.succeeded &= status.success();
    Ok(build)
}

/// Files one of cargo's messages under the build it describes.
fn read_message(message: Message, tests: &[String], build: &mut Build) {
    match message {
        Message::CompilerArtifact(artifact) => {
            let is_test = artifact.profile.test
                && artifact.target.kind.contains(&TargetKind::Test)
                && tests.contains(&artifact.target.name);
            if let (true, Some(executable)) = (is_test, artifact.executable) {
                build.binaries.insert(
                    artifact.target.name.clone(),
                    TestBinary {
                        executable: executable.into_std_path_buf(),
                        source: artifact.target.src_path.into_std_path_buf(),
                    },
                );
            }
        }
        Message::CompilerMessage(message) => {
            let diagnostic = message.message;
            let is_error = matches!(
                diagnostic.level,
                DiagnosticLevel::Error | DiagnosticLevel::Ice
            );
            // rustc closes with "aborting due to N previous errors": noise here.
            let is_summary = diagnostic.message.starts_with("aborting due to");
            if let (true, false, Some(rendered)) =
                (is_error, is_summary, diagnostic.rendered)
                && !build.errors.contains(&rendered)
            {
                build.errors.push(rendered);
            }
        }
        Message::BuildFinished(finished) => build.succeeded = finished.success,
        _ => {}
    }
}
