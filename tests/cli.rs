//! `cargo lab` as a student meets it, run on a throw-away copy of the
//! workbook: progress, checks, hints, solutions, resets, and the exit codes
//! (0 passed, 1 failed or refused, 2 usage or setup error).
//!
//! Each `check` builds the exercise, so they are few and kept together.

mod common;

use common::{WorkbookCopy, copy_workbook};
use predicates::prelude::*;
use predicates::str::contains;

/// The exercise these tests work on: chapter 1's.
const EXERCISE: &str = "ports";

/// The folder of `package` in the copy, relative to its root.
fn exercise_folder(copy: &WorkbookCopy, package: &str) -> String {
    let workbook = copy.workbook();
    let dir = &workbook.exercise(package).expect("the exercise exists").dir;
    dir.strip_prefix(&copy.root)
        .expect("inside the copy")
        .display()
        .to_string()
}

/// A fresh workbook shows chapter 1 with nothing done and names the first step.
#[test]
fn list_on_a_fresh_copy_shows_no_progress_and_the_next_step() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let first = &workbook.exercises[0];
    let steps = first.steps.len();
    let expected_next = format!(
        "next: cargo lab check {}  (step 1: {})",
        first.package, first.steps[0].title
    );

    for args in [&[][..], &["list"][..]] {
        copy.lab()
            .args(args)
            .assert()
            .code(0)
            .stdout(contains(format!("Chapter {}", first.chapter)))
            .stdout(contains(format!("0 of {steps} step")))
            .stdout(contains(expected_next.clone()));
    }

    let output = copy
        .lab()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("list --format json is JSON");
    assert_eq!(json["done"], 0);
    assert_eq!(json["exercises"][0]["package"], first.package.as_str());
    assert_eq!(json["next"]["step"], 1);
}

/// Each `hint` call shows the next hint of the first unfinished step.
#[test]
fn hints_come_one_at_a_time() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let hints = &workbook.exercise(EXERCISE).unwrap().steps[0].hints;
    assert!(
        hints.len() >= 2,
        "step 1 of {EXERCISE} has at least two hints"
    );

    copy.lab()
        .args(["hint", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("hint 1 of"))
        .stdout(contains(hints[0].lines().next().unwrap()));
    copy.lab()
        .args(["hint", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("hint 2 of"))
        .stdout(contains(hints[1].lines().next().unwrap()));
    // A step can be named by number; a step that does not exist is a usage error.
    copy.lab()
        .args(["hint", EXERCISE, "1"])
        .assert()
        .code(0)
        .stdout(contains("hint 3 of").or(contains("no more hints")));
    copy.lab()
        .args(["hint", EXERCISE, "99"])
        .assert()
        .code(2)
        .stderr(contains("has no step `99`"));
}

/// The model answer stays hidden until the exercise passes, unless forced.
#[test]
fn solution_is_refused_before_the_exercise_passes_unless_forced() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    copy.lab()
        .args(["solution", EXERCISE])
        .assert()
        .code(1)
        .stdout(contains("solve it first, or use --force"));
    copy.lab()
        .args(["solution", EXERCISE, "--force"])
        .assert()
        .code(0)
        .stdout(contains("solutions/").and(contains("src/lib.rs")));
}

/// Naming an exercise that does not exist is exit code 2, with the real names.
#[test]
fn an_unknown_exercise_is_a_usage_error_that_lists_the_real_ones() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    for verb in ["check", "hint", "solution", "reset"] {
        let mut assert = copy
            .lab()
            .args([verb, "no-such-exercise"])
            .assert()
            .code(2)
            .stderr(contains("no exercise called `no-such-exercise`"));
        for exercise in &workbook.exercises {
            assert = assert.stderr(contains(exercise.package.as_str()));
        }
    }
    copy.lab()
        .args(["probe", "no-such-probe", "127.0.0.1:9"])
        .assert()
        .code(2);
    copy.lab().arg("no-such-verb").assert().code(2);
}

/// The stub fails with its first failure shown; the solution's code passes,
/// the progress is recorded, and the solution is then shown.
#[test]
fn check_fails_on_the_stub_then_passes_with_the_solution() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let exercise = workbook.exercise(EXERCISE).unwrap();
    let steps = exercise.steps.len();

    copy.lab()
        .args(["check", EXERCISE])
        .assert()
        .code(1)
        .stdout(contains(format!("step 1  {}", exercise.steps[0].title)))
        .stdout(contains("first failure: step 1, test `"))
        .stdout(contains("panicked at"))
        .stdout(contains(format!("0 of {steps} step")))
        .stdout(contains(format!("cargo lab hint {EXERCISE} 1")));

    copy.solve(EXERCISE);
    copy.lab()
        .args(["check", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("first failure").not())
        .stdout(contains(format!(
            "{EXERCISE}: every step passes ({steps} of {steps})"
        )))
        .stdout(contains(format!("cargo lab solution {EXERCISE}")));

    copy.lab()
        .arg("list")
        .assert()
        .code(0)
        .stdout(contains(format!("{steps} of {steps} step")))
        .stdout(contains(format!("✓ 1  {}", exercise.steps[0].title)));
    copy.lab()
        .args(["solution", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("src/lib.rs"));

    // Watch mode checks once, then quits cleanly when stdin ends.
    copy.lab()
        .args(["watch", EXERCISE])
        .write_stdin("")
        .timeout(std::time::Duration::from_secs(300))
        .assert()
        .code(0)
        .stdout(contains(format!("checking {EXERCISE}")))
        .stdout(contains("every step passes"));
}

/// `reset` puts the stub back from git and keeps the student's work.
#[test]
fn reset_restores_the_stub_and_keeps_a_backup() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    copy.git_init();
    let src = copy.root.join(exercise_folder(&copy, EXERCISE)).join("src");
    let lib = src.join("lib.rs");
    let stub = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{stub}\n// my own work\n")).unwrap();
    std::fs::write(src.join("scratch.rs"), "// an extra file\n").unwrap();

    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("is the stub again (from HEAD)"))
        .stdout(contains(format!(".netlab/backups/{EXERCISE}-")));

    assert_eq!(std::fs::read_to_string(&lib).unwrap(), stub);
    assert!(!src.join("scratch.rs").exists(), "the extra file is gone");
    let backups: Vec<_> = std::fs::read_dir(copy.root.join(".netlab/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "one backup: {backups:?}");
    let saved = std::fs::read_to_string(backups[0].join("lib.rs")).unwrap();
    assert!(
        saved.ends_with("// my own work\n"),
        "the backup keeps the edit"
    );
    assert!(backups[0].join("scratch.rs").exists());
}

/// Outside a git checkout there is nothing to reset from: exit code 2.
#[test]
fn reset_outside_git_is_refused() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(2)
        .stderr(contains("not a git checkout"));
}
