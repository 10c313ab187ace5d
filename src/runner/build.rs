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

/// One package among several built by one cargo run (see [`build_many`]).
pub(crate) struct BuildUnit<'a> {
    pub package: &'a str,
    pub crate_dir: &'a Path,
    pub tests: &'a [String],
}

/// How to call cargo once for the test targets of several packages.
pub(crate) struct ManyRequest<'a> {
    pub cargo: &'a OsString,
    pub workspace: &'a Path,
    pub units: &'a [BuildUnit<'a>],
    pub target_dir: Option<&'a Path>,
    pub color: bool,
    pub jobs: Option<usize>,
    /// Called after each of the units' own artifacts (a library or a test
    /// binary) is ready, with how many are ready so far.
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

/// Builds the test targets and reads what cargo said.
pub(crate) fn build(request: &BuildRequest) -> Result<Build> {
    let unit = BuildUnit {
        package: request.package,
        crate_dir: request.workspace,
        tests: request.tests,
    };
    let many = ManyRequest {
        cargo: request.cargo,
        workspace: request.workspace,
        units: std::slice::from_ref(&unit),
        target_dir: request.target_dir,
        color: request.color,
        jobs: None,
        progress: None,
    };
    let mut builds = build_many(&many)?;
    Ok(builds.pop().unwrap_or_default())
}

/// Builds the test targets of several packages with one cargo run, so that
/// cargo shares the work (dependencies once, crates in parallel), and files
/// what it said under each package: a compile error in one package is that
/// package's alone (`--keep-going` builds the others).
///
/// With one unit, everything cargo reports is that unit's (as `cargo lab
/// check` wants: an error in a dependency is the exercise's problem too).
/// With several, a message goes to the unit whose folder holds the source
/// it is about, and a message about no unit's source (a shared dependency)
/// to every unit.
pub(crate) fn build_many(request: &ManyRequest) -> Result<Vec<Build>> {
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
        .args(["--keep-going", format])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for unit in request.units {
        command.args(["--package", unit.package]);
    }
    // `--test` applies to every package named; the union of the units'
    // step names is asked for, and a package without one of them is fine
    // as long as some package has it.
    let mut tests: Vec<&String> =
        request.units.iter().flat_map(|u| u.tests).collect();
    tests.sort();
    tests.dedup();
    for test in tests {
        command.args(["--test", test]);
    }
    if let Some(dir) = request.target_dir {
        command.arg("--target-dir").arg(dir);
    }
    if let Some(jobs) = request.jobs {
        command.arg(format!("--jobs={}", jobs.max(1)));
    }
    let what = match request.units {
        [one] => format!("`cargo build -p {}`", one.package),
        many => format!("`cargo build` for {} packages", many.len()),
    };
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {what}"))?;

    let mut stderr_pipe =
        child.stderr.take().context("cargo's stderr is missing")?;
    let stderr_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });

    let single = request.units.len() == 1;
    let dirs: Vec<PathBuf> = request
        .units
        .iter()
        .map(|u| {
            u.crate_dir
                .canonicalize()
                .unwrap_or_else(|_| u.crate_dir.to_path_buf())
        })
        .collect();
    let mut builds = vec![Build::default(); request.units.len()];
    let mut cargo_succeeded = false;
    let mut ready = 0;
    let stdout = child.stdout.take().context("cargo's stdout is missing")?;
    for message in Message::parse_stream(BufReader::new(stdout)) {
        let message = message.context("reading cargo's build messages")?;
        if let Message::BuildFinished(finished) = &message {
            cargo_succeeded = finished.success;
            continue;
        }
        let owners: Vec<usize> = if single {
            vec![0]
        } else {
            match owner_of(&message, &dirs) {
                Some(index) => vec![index],
                None if matches!(message, Message::CompilerMessage(_)) => {
                    (0..builds.len()).collect()
                }
                None => continue,
            }
        };
        if !single
            && let Message::CompilerArtifact(_) = message
            && owners.len() == 1
        {
            ready += 1;
            if let Some(progress) = request.progress {
                progress(ready);
            }
        }
        for index in owners {
            read_message(
                message.clone(),
                request.units[index].tests,
                &mut builds[index],
            );
        }
    }
    let status = child.wait().context("waiting for cargo build")?;
    let cargo_stderr = stderr_reader.join().unwrap_or_default();
    let all_built = cargo_succeeded && status.success();
    for (build, unit) in builds.iter_mut().zip(request.units) {
        build.cargo_stderr = cargo_stderr.clone();
        build.succeeded = all_built
            || (!single
                && build.errors.is_empty()
                && build.binaries.len() == unit.tests.len());
    }
    Ok(builds)
}

/// Which unit a message of cargo's is about, by the folder of its source.
fn owner_of(message: &Message, dirs: &[PathBuf]) -> Option<usize> {
    let path = match message {
        Message::CompilerArtifact(artifact) => artifact.manifest_path.as_std_path(),
        Message::CompilerMessage(message) => message.target.src_path.as_std_path(),
        _ => return None,
    };
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    dirs.iter().position(|dir| path.starts_with(dir))
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
