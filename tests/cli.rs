//! `cargo lab` as a student meets it, run on a throw-away copy of the
//! workbook: progress, checks, hints (wrapped to the width), solutions
//! (whole or one step), resets (in a fork, without git) and restores, watch
//! mode, the progress marks in the built book, and the exit codes (0
//! passed, 1 failed or refused, 2 usage or setup error).
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
        .stdout(contains(format!(
            "hint 2 of {} for step 1: cargo lab hint {EXERCISE} 1",
            hints.len()
        )));
    copy.lab()
        .args(["hint", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("hint 2 of"));
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

/// The words of `text`, for comparing text that was wrapped with text
/// that was not.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// A hint longer than a line is wrapped: at 80 columns when the output is
/// not a terminal, at the window's width (`COLUMNS` stands in for one here),
/// every word kept.
#[test]
fn hints_wrap_at_80_columns_when_piped_and_at_the_terminal_width() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let hint = &workbook.exercise(EXERCISE).unwrap().steps[0].hints[0];
    assert!(
        hint.chars().count() > 100,
        "the first hint is long enough to wrap"
    );

    for (columns, width) in [(None, 80), (Some("50"), 50)] {
        let mut command = copy.lab();
        command.args(["hint", EXERCISE, "1"]).env_remove("COLUMNS");
        if let Some(columns) = columns {
            command.env("COLUMNS", columns);
        }
        let output = command.output().unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        let hint_lines: Vec<&str> =
            stdout.lines().filter(|l| l.starts_with("  ")).collect();
        for line in &hint_lines {
            assert!(
                line.chars().count() <= width,
                "a line wider than {width} columns: {line:?}\n{stdout}"
            );
        }
        assert!(
            hint_lines.len() > 1,
            "the hint takes several lines:\n{stdout}"
        );
        let shown: Vec<&str> = hint_lines.iter().copied().flat_map(words).collect();
        assert_eq!(shown, words(hint), "the hint, every word, in order");
        // The next call shows the next hint: start again for the next width.
        std::fs::remove_file(copy.root.join(".netlab/progress.json")).unwrap();
    }
}

/// Writes a progress file in which the steps in `passed` passed.
fn record_passes(copy: &WorkbookCopy, package: &str, passed: &[&str]) {
    let progress = serde_json::json!({
        "exercises": { package: { "passed": passed, "hints": {} } }
    });
    std::fs::create_dir_all(copy.root.join(".netlab")).unwrap();
    std::fs::write(
        copy.root.join(".netlab/progress.json"),
        progress.to_string(),
    )
    .unwrap();
}

/// `solution --step N` shows that step's module alone, once that step
/// passes, and refuses a step that does not pass yet.
#[test]
fn solution_of_one_step_is_shown_once_that_step_passes() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let steps = &workbook.exercise(EXERCISE).unwrap().steps;
    let (first, second) = (&steps[0].test, &steps[1].test);

    copy.lab()
        .args(["solution", EXERCISE, "--step", "1"])
        .assert()
        .code(1)
        .stdout(contains("has not passed"));
    record_passes(&copy, EXERCISE, &[first]);
    copy.lab()
        .args(["solution", EXERCISE, "--step", "1"])
        .assert()
        .code(0)
        .stdout(contains(format!("src/{first}.rs")))
        .stdout(contains(format!("src/{second}.rs")).not())
        .stdout(contains("src/lib.rs").not());
    // The whole answer still waits for the whole exercise, and says that
    // the step that passes can be seen.
    copy.lab()
        .args(["solution", EXERCISE])
        .assert()
        .code(1)
        .stdout(contains(format!("cargo lab solution {EXERCISE} --step 1")));
    copy.lab()
        .args(["solution", EXERCISE, "--step", second, "--force"])
        .assert()
        .code(0)
        .stdout(contains(format!("src/{second}.rs")));
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

    // A student who set RUST_BACKTRACE for their own work does not get
    // the standard library's backtrace in every failure.
    copy.lab()
        .args(["check", EXERCISE])
        .env("RUST_BACKTRACE", "1")
        .assert()
        .code(1)
        .stdout(contains("stack backtrace").not())
        .stdout(contains("run with `RUST_BACKTRACE=1`").not())
        .stdout(contains("cargo lab check --backtrace"))
        .stdout(contains(format!("step 1  {}", exercise.steps[0].title)))
        .stdout(contains("first failure: step 1, test `"))
        .stdout(contains("panicked at"))
        .stdout(contains(format!("0 of {steps} step")))
        .stdout(contains(format!("cargo lab hint {EXERCISE} 1")));
    copy.lab()
        .args(["check", EXERCISE, "--backtrace"])
        .assert()
        .code(1)
        .stdout(contains("stack backtrace"));

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

/// The names of the backups of `package` in a copy, oldest first.
fn backups(copy: &WorkbookCopy, package: &str) -> Vec<String> {
    let dir = copy.root.join(".netlab/backups").join(package);
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// Every file under `dir` with its contents, by path relative to `dir`.
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        base: &std::path::Path,
        dir: &std::path::Path,
        found: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, found);
            } else {
                let name = path.strip_prefix(base).unwrap().display().to_string();
                found.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut found = std::collections::BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// `reset` puts the shipped stub back and keeps the student's work in a
/// backup named by date and time; an extra file of theirs goes too.
#[test]
fn reset_restores_the_stub_and_keeps_a_backup() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    copy.git_init();
    let src = copy.root.join(exercise_folder(&copy, EXERCISE)).join("src");
    let shipped = tree(&src);
    let lib = src.join("lib.rs");
    let stub = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{stub}\n// my own work\n")).unwrap();
    std::fs::write(src.join("scratch.rs"), "// an extra file\n").unwrap();

    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("is the stub again, as the workbook shipped it"))
        .stdout(contains(format!(".netlab/backups/{EXERCISE}/")))
        .stdout(contains(format!("cargo lab restore {EXERCISE} ")));

    assert_eq!(tree(&src), shipped, "src/ is the stub as shipped");
    let names = backups(&copy, EXERCISE);
    assert_eq!(names.len(), 1, "one backup: {names:?}");
    // Named by date and time: 2026-12-01_09-25-55.
    let shape: String = names[0]
        .chars()
        .map(|c| if c.is_ascii_digit() { 'D' } else { c })
        .collect();
    assert_eq!(shape, "DDDD-DD-DD_DD-DD-DD", "backup name {}", names[0]);
    let backup = copy
        .root
        .join(".netlab/backups")
        .join(EXERCISE)
        .join(&names[0]);
    let saved = std::fs::read_to_string(backup.join("lib.rs")).unwrap();
    assert!(
        saved.ends_with("// my own work\n"),
        "the backup keeps the edit"
    );
    assert!(backup.join("scratch.rs").exists());
}

/// In a student's own repository (a fork, a classroom assignment) the
/// upstream branch holds their solution, committed and pushed: `reset`
/// must still bring back the stub as shipped, not their work.
#[test]
fn reset_in_a_fork_whose_upstream_holds_a_solution_restores_the_shipped_stub() {
    let _cargo = common::one_cargo_at_a_time();
    let template = copy_workbook();
    let folder = exercise_folder(&template, EXERCISE);
    let shipped = tree(&template.root.join(&folder).join("src"));
    template.git_init();
    // The student solves the exercise and pushes it to their fork's main.
    template.solve(EXERCISE);
    template.git(&["add", "--all"]);
    template.git(&["commit", "--quiet", "--message", "My solution"]);
    let clone = template.git_clone();
    let src = clone.root.join(&folder).join("src");
    assert_ne!(tree(&src), shipped, "the clone starts from the solution");

    clone
        .lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("is the stub again"));
    assert_eq!(
        tree(&src),
        shipped,
        "reset restored the shipped stub, not the solution in origin/main"
    );
}

/// A workbook downloaded as a zip has no git: `reset` works all the same.
#[test]
fn reset_without_git_restores_the_stub() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let src = copy.root.join(exercise_folder(&copy, EXERCISE)).join("src");
    let shipped = tree(&src);
    copy.solve(EXERCISE);
    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("is the stub again"));
    assert_eq!(tree(&src), shipped);
    assert_eq!(backups(&copy, EXERCISE).len(), 1);
    // Resetting the stub itself changes nothing and saves nothing.
    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("is already the stub as shipped"));
    assert_eq!(backups(&copy, EXERCISE).len(), 1);
}

/// Without the workbook's pristine copy there is nothing to reset from:
/// exit code 2, a message that says how to get the stub back, and the
/// student's files untouched.
#[test]
fn reset_without_the_pristine_copy_says_how_to_get_the_stub() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let folder = copy.root.join(exercise_folder(&copy, EXERCISE));
    std::fs::remove_dir_all(folder.join(".stub")).unwrap();
    copy.solve(EXERCISE);
    let solved = tree(&folder.join("src"));
    copy.lab()
        .args(["reset", EXERCISE])
        .assert()
        .code(2)
        .stderr(contains(".stub/src/, is missing"))
        .stderr(contains("download the workbook again"));
    assert_eq!(tree(&folder.join("src")), solved, "nothing was touched");
}

/// `restore` lists the backups without a name, and with one brings that
/// version back, saving the version it replaces first.
#[test]
fn restore_lists_backups_and_brings_one_back() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let src = copy.root.join(exercise_folder(&copy, EXERCISE)).join("src");
    let shipped = tree(&src);

    copy.lab()
        .args(["restore", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains("has no backups yet"));

    copy.solve(EXERCISE);
    let solved = tree(&src);
    copy.lab().args(["reset", EXERCISE]).assert().code(0);
    let name = backups(&copy, EXERCISE).pop().expect("a backup");

    copy.lab()
        .args(["restore", EXERCISE])
        .assert()
        .code(0)
        .stdout(contains(name.as_str()))
        .stdout(contains(format!("cargo lab restore {EXERCISE} {name}")));
    copy.lab()
        .args(["restore", EXERCISE, "no-such-backup"])
        .assert()
        .code(2)
        .stderr(contains("no backup called `no-such-backup`"))
        .stderr(contains(format!("cargo lab restore {EXERCISE}")));

    copy.lab()
        .args(["restore", EXERCISE, &name])
        .assert()
        .code(0)
        .stdout(contains(format!("is your version of {name} again")));
    assert_eq!(tree(&src), solved, "the solved version is back");
    let after = backups(&copy, EXERCISE);
    assert_eq!(after.len(), 2, "the stub it replaced was saved: {after:?}");
    let replaced = copy
        .root
        .join(".netlab/backups")
        .join(EXERCISE)
        .join(&after[1]);
    assert_eq!(tree(&replaced), shipped, "the newest backup is the stub");
}

/// The pristine copy `reset` restores from is the stub as shipped, for
/// every exercise: when a stub changes, its copy must change with it.
#[test]
fn every_exercise_keeps_a_pristine_copy_of_its_shipped_stub() {
    let _cargo = common::one_cargo_at_a_time();
    let workbook = common::workbook();
    let mut problems = Vec::new();
    for exercise in &workbook.exercises {
        let src = exercise.src_dir();
        let pristine = exercise.pristine_src_dir();
        let folder = exercise
            .dir
            .strip_prefix(&workbook.root)
            .unwrap_or(&exercise.dir)
            .display()
            .to_string();
        let refresh = format!(
            "if {folder}/src/ is the stub to ship, refresh the copy with: \
             rm -rf {folder}/.stub/src && mkdir -p {folder}/.stub && \
             cp -R {folder}/src {folder}/.stub/src"
        );
        if !pristine.is_dir() {
            problems.push(format!("{folder}/.stub/src/ is missing; {refresh}"));
        } else if tree(&pristine) != tree(&src) {
            problems.push(format!(
                "{folder}/.stub/src/ differs from {folder}/src/ (an edited \
                 exercise? `cargo lab reset {}` puts the stub back); {refresh}",
                exercise.package
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// After a compile error, watch mode asks for a save, not for a command it
/// runs by itself; without a terminal it reads one command per line.
#[test]
fn watch_after_a_compile_error_says_save_again() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let lib = copy
        .root
        .join(exercise_folder(&copy, EXERCISE))
        .join("src/lib.rs");
    let stub = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{stub}\nfn broken( {{\n")).unwrap();

    let output = copy
        .lab()
        .args(["watch", EXERCISE])
        .write_stdin("r\n")
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("does not compile"), "{stdout}");
    assert!(
        stdout.contains("next: fix the errors above, then save again"),
        "{stdout}"
    );
    assert!(!stdout.contains("run cargo lab check"), "{stdout}");
    assert_eq!(
        stdout.matches(&format!("checking {EXERCISE}")).count(),
        2,
        "one check at the start, one for `r`:\n{stdout}"
    );
    assert!(stdout.contains("keys (then Enter)"), "{stdout}");
}

/// Builds the copy's book with the `netlab-book` binary built for these
/// tests, `NETLAB_BOOK_PROGRESS` set to `progress`, and returns the HTML of
/// the exercise's page.
fn built_exercise_page(
    copy: &WorkbookCopy,
    package: &str,
    progress: &str,
) -> String {
    use mdbook_driver::MDBook;
    use mdbook_driver::config::Config;

    let out = tempfile::tempdir().expect("a temporary build folder");
    let mut config =
        Config::from_disk(copy.root.join("book.toml")).expect("book.toml");
    config.set("build.build-dir", out.path()).unwrap();
    let binary = env!("CARGO_BIN_EXE_netlab-book");
    // mdBook splits the command like a shell; `env` sets the variable.
    let command = format!("env NETLAB_BOOK_PROGRESS={progress} '{binary}'");
    config.set("preprocessor.netlab.command", &command).unwrap();
    config
        .set(
            "preprocessor.netlab-snippets.command",
            format!("{command} snippets"),
        )
        .unwrap();
    let book = MDBook::load_with_config(&copy.root, config).expect("the book loads");
    book.build().expect("the book builds");
    let workbook = copy.workbook();
    let page = &workbook.exercise(package).unwrap().page;
    let html = out.path().join(page.replace(".md", ".html"));
    std::fs::read_to_string(&html)
        .unwrap_or_else(|e| panic!("{}: {e}", html.display()))
}

/// Served on the reader's machine, the exercise box shows their progress
/// from `.netlab/progress.json`: ✓ on the steps that pass, "next" on the
/// first that does not. Built for publishing, or with no progress file, it
/// shows no marks.
#[test]
fn the_book_marks_the_readers_progress_unless_published() {
    let _cargo = common::one_cargo_at_a_time();
    let copy = copy_workbook();
    let workbook = copy.workbook();
    let steps = &workbook.exercise(EXERCISE).unwrap().steps;
    record_passes(&copy, EXERCISE, &[&steps[0].test]);

    let html = built_exercise_page(&copy, EXERCISE, "1");
    assert!(
        html.contains(&format!("Your progress: 1 of {} steps pass", steps.len())),
        "the header counts the steps that pass"
    );
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` on the page"))
    };
    let (step1, step2) = (at(&steps[0].title), at(&steps[1].title));
    let (passed, next) = (at("✓ passes"), at(">next</span>"));
    assert!(step1 < passed && passed < step2, "✓ in step 1's section");
    assert!(step2 < next, "next in step 2's section");
    assert_eq!(html.matches("netlab-mark-passed").count(), 1);
    assert_eq!(html.matches("netlab-mark-next").count(), 1);

    let published = built_exercise_page(&copy, EXERCISE, "0");
    assert!(
        !published.contains("netlab-mark"),
        "no marks when published"
    );
    assert!(!published.contains("Your progress"));

    std::fs::remove_file(copy.root.join(".netlab/progress.json")).unwrap();
    let fresh = built_exercise_page(&copy, EXERCISE, "1");
    assert!(!fresh.contains("netlab-mark"), "no marks without progress");
}
