//! The TCP probes against the workbook's own reference servers,
//! `tcp-echo-server`, `chat-server` and `http-server` (binaries of
//! `tcp-solution`): each must pass every check, or the probe and the
//! chapter disagree about the protocol.
//!
//! Each server is built with cargo, started on 127.0.0.1 with port 0, and
//! probed at the address it prints first (`listening on ADDR`). While
//! `tcp-solution` has no binaries at all (the chapter is not written yet)
//! the tests say `SKIPPED: …` and pass; once it has some, a missing one is
//! a failure.

mod common;

use std::fs;
use std::time::Duration;

use common::peers;
use netlab::probe::{self, ProbeOptions};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(120);

/// The binaries of `tcp-solution`, from `cargo metadata`.
fn tcp_solution_binaries() -> Vec<String> {
    let _cargo = common::one_cargo_at_a_time();
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(common::workbook_root().join("Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata reads the workspace");
    let package = metadata
        .packages
        .iter()
        .find(|package| package.name.as_str() == "tcp-solution")
        .expect("the workspace has tcp-solution");
    package
        .targets
        .iter()
        .filter(|target| target.is_bin())
        .map(|target| target.name.clone())
        .collect()
}

/// Builds the reference server `name`, or `None` (loudly) while
/// `tcp-solution` has no binaries yet.
fn reference_server(name: &str) -> Option<std::path::PathBuf> {
    let binaries = tcp_solution_binaries();
    if binaries.is_empty() {
        peers::loud(&format!(
            "SKIPPED: tcp-solution has no binaries yet, so no `{name}` to probe"
        ));
        return None;
    }
    assert!(
        binaries.iter().any(|bin| bin == name),
        "tcp-solution has binaries {binaries:?} but no `{name}`"
    );
    Some(common::build_binary("tcp-solution", name))
}

fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(2000),
        ..ProbeOptions::default()
    }
}

/// Probes `kind` at the server `program ARGS` and expects every check to
/// pass.
fn assert_passes(
    kind: &'static str,
    program: std::path::PathBuf,
    args: Vec<String>,
) {
    deadline(
        LIMIT,
        &format!("probing the reference {kind} server"),
        move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (_server, addr) = peers::start_listening(&program, &args);
            let report = probe::check(kind, &addr.to_string(), &options()).unwrap();
            assert!(
                report.passed && report.warnings == 0,
                "the reference {kind} server failed its probe: {:#?}",
                report.checks
            );
        },
    );
}

/// `tcp-echo-server` passes `probe tcp-echo`.
#[test]
fn the_reference_echo_server_passes_its_probe() {
    let Some(program) = reference_server("tcp-echo-server") else {
        return;
    };
    assert_passes("tcp-echo", program, vec!["127.0.0.1:0".into()]);
}

/// `chat-server` passes `probe chat`, the slow reader included.
#[test]
fn the_reference_chat_server_passes_its_probe() {
    let Some(program) = reference_server("chat-server") else {
        return;
    };
    assert_passes("chat", program, vec!["127.0.0.1:0".into()]);
}

/// `http-server --root DIR` with an `index.html` passes `probe http`.
#[test]
fn the_reference_http_server_passes_its_probe() {
    let Some(program) = reference_server("http-server") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    fs::write(
        root.path().join("index.html"),
        "<!doctype html><title>netlab</title><p>Hello from the lab.</p>\n",
    )
    .unwrap();
    let root_arg = root.path().to_str().unwrap().to_string();
    assert_passes(
        "http",
        program,
        vec!["127.0.0.1:0".into(), "--root".into(), root_arg],
    );
    drop(root);
}
