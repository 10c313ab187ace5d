//! `cargo lab grade` on a class of fixture submissions made here, each the
//! kind a teacher meets: fully solved, untouched, half solved, tests edited
//! to pass, an endless loop (one the test's own deadline catches, and one
//! that outlasts it), a compile error, `process::exit(0)` in a
//! student's function, a flood of output, a `.zip`, a `.tar.gz`, a broken
//! archive and an exercise not handed in. Each must get exactly the points
//! it deserves, in every format; a tampered test or an early exit never
//! raises a grade.
//!
//! The class is graded once on chapter 1's exercise (`ports`: quick tests)
//! with every output format written at once, and the tests below read the
//! files. Grading builds in `<target>/grade-tests`, apart from a teacher's
//! own grading folder.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// The exercise graded: chapter 1's, whose tests are pure and quick.
const EXERCISE: &str = "ports";
/// Its folder.
const FOLDER: &str = "01-ports";
/// Points per step of `ports`, from its metadata.
const STEP_POINTS: [u64; 6] = [10, 10, 10, 15, 10, 15];
/// Seconds per step's test binary: short, as the endless loops cost it.
/// Shorter than the 10 s deadline of step 6's `resolve_host` tests, so
/// that the loop there meets the grader's limit first (see "hangs").
const TIME_LIMIT: &str = "8";

/// What each fixture deserves: (student, points, points per step).
fn expected() -> Vec<(&'static str, u64, [u64; 6])> {
    let all = STEP_POINTS;
    let none = [0; 6];
    let first_three = [10, 10, 10, 0, 0, 0];
    let but = |step: usize| {
        let mut points = STEP_POINTS;
        points[step] = 0;
        points
    };
    vec![
        ("solved", 70, all),
        ("untouched", 0, none),
        ("half", 30, first_three),
        ("tampered", 0, none),
        ("endless-loop", 60, but(4)),
        ("hangs", 55, but(5)),
        ("compile-error", 0, none),
        ("exits", 60, but(1)),
        ("exits-instead-of-failing", 0, none),
        ("flood", 70, all),
        ("zipped", 70, all),
        ("tarred", 30, first_three),
        ("broken", 0, none),
        ("other-exercise", 0, none),
    ]
}

fn grade_dir() -> PathBuf {
    common::target_dir().join("grade-tests")
}

/// `cargo lab grade` in the workbook, grading apart from a teacher's folder.
fn lab() -> Command {
    let mut command = Command::cargo_bin("netlab").expect("the netlab binary");
    command
        .current_dir(common::workbook_root())
        .env("NETLAB_GRADE_DIR", grade_dir())
        .env("NO_COLOR", "1")
        .env_remove("NETLAB_ROOT");
    command
}

/// Copies the pristine exercise crate to `dir` with `src/` taken from
/// `src` (a folder of the workbook, relative to its root).
fn exercise_copy(dir: &Path, src: &str) {
    let root = common::workbook_root();
    common::copy_tree(
        &root.join("exercises").join(FOLDER),
        dir,
        &["src", "target"],
    );
    common::copy_tree(&root.join(src), &dir.join("src"), &[]);
}

/// Replaces `from` by `to` in a file, which must contain it.
fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).expect("read a fixture file");
    assert!(text.contains(from), "{} has no `{from}`", file.display());
    fs::write(file, text.replacen(from, to, 1)).expect("write a fixture file");
}

/// Puts the first `steps` step files of the solution into a copy's src/.
fn solve_steps(crate_dir: &Path, steps: &[&str]) {
    let solution = common::workbook_root()
        .join("solutions")
        .join(FOLDER)
        .join("src");
    for step in steps {
        let name = format!("{step}.rs");
        fs::copy(solution.join(&name), crate_dir.join("src").join(&name))
            .expect("copy a step");
    }
}

const FIRST_THREE: [&str; 3] =
    ["step1_host_port", "step2_ipv4_forms", "step3_classify"];

/// Makes the class in `class/`, one folder or archive per student.
fn make_class(class: &Path) {
    let solution = "solutions/01-ports/src";
    let stub = "exercises/01-ports/src";
    // A whole workbook copy (its exercises/ with the helpers).
    let solved = class.join("solved");
    exercise_copy(&solved.join("exercises").join(FOLDER), solution);
    common::copy_tree(
        &common::workbook_root().join("exercises/support"),
        &solved.join("exercises/support"),
        &["target"],
    );
    fs::write(solved.join("Cargo.toml"), "# the student's workbook\n").unwrap();
    // Only exercises/, as handed out.
    exercise_copy(&class.join("untouched").join(FOLDER), stub);

    let half = class.join("half").join(FOLDER);
    exercise_copy(&half, stub);
    solve_steps(&half, &FIRST_THREE);

    // The stub, with every test file made to pass and a test of their own.
    let tampered = class.join("tampered").join(FOLDER);
    exercise_copy(&tampered, stub);
    for entry in fs::read_dir(tampered.join("tests")).unwrap() {
        fs::write(entry.unwrap().path(), "#[test]\nfn passes() {}\n").unwrap();
    }
    fs::write(tampered.join("tests/mine.rs"), "#[test]\nfn mine() {}\n").unwrap();
    let manifest = tampered.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replace("points = 10", "points = 100")).unwrap();

    let endless = class.join("endless-loop").join(FOLDER);
    exercise_copy(&endless, solution);
    edit(
        &endless.join("src/step5_ports.rs"),
        "pub fn port_range(port: u16) -> PortRange {",
        "pub fn port_range(port: u16) -> PortRange {\n    #[allow(clippy::empty_loop)]\n    loop {}\n    #[allow(unreachable_code)]",
    );

    // A loop in a function whose tests wait 10 s before their own deadline
    // gives up: the grader's 8 s limit stops the test binary first.
    let hangs = class.join("hangs").join(FOLDER);
    exercise_copy(&hangs, solution);
    edit(
        &hangs.join("src/step6_os_ports.rs"),
        "pub fn resolve_host(host: &str) -> io::Result<Vec<IpAddr>> {",
        "pub fn resolve_host(host: &str) -> io::Result<Vec<IpAddr>> {\n    #[allow(clippy::empty_loop)]\n    loop {}\n    #[allow(unreachable_code)]",
    );

    let broken = class.join("compile-error").join(FOLDER);
    exercise_copy(&broken, solution);
    edit(
        &broken.join("src/step4_subnets.rs"),
        "pub fn usable_hosts(&self) -> u32 {",
        "pub fn usable_hosts(&self) -> u32 {\n        let oops: u32 = \"not a number\";",
    );

    // A function that ends the test process with "success" before its
    // test can fail: the test must fail, its neighbours still count.
    let exits = class.join("exits").join(FOLDER);
    exercise_copy(&exits, solution);
    edit(
        &exits.join("src/step2_ipv4_forms.rs"),
        "pub fn to_dotted_binary(addr: Ipv4Addr) -> String {",
        "pub fn to_dotted_binary(addr: Ipv4Addr) -> String {\n    std::process::exit(0);\n    #[allow(unreachable_code)]",
    );
    // The stub, where each todo!() of step 1 exits with success instead.
    let exits_stub = class.join("exits-instead-of-failing").join(FOLDER);
    exercise_copy(&exits_stub, stub);
    edit(
        &exits_stub.join("src/step1_host_port.rs"),
        "todo!(",
        "std::process::exit(0);\n    #[allow(unreachable_code)]\n    todo!(",
    );

    // Right answers, megabytes of output on the way, captured and not.
    let flood = class.join("flood").join(FOLDER);
    exercise_copy(&flood, solution);
    edit(
        &flood.join("src/step5_ports.rs"),
        "pub fn service_name(port: u16) -> Option<&'static str> {",
        "pub fn service_name(port: u16) -> Option<&'static str> {\n    \
         let line = \"flood \".repeat(1000);\n    \
         for _ in 0..300 { println!(\"{line}\"); }\n    \
         { use std::io::Write as _; let mut out = std::io::stdout();\n      \
         for _ in 0..300 { let _ = out.write_all(line.as_bytes()); } }",
    );

    // Archives: a solved workbook in GitHub's `<repo>-main/` folder, and
    // a half-solved exercises/.
    let staging = class.with_file_name("staging");
    let zipped = staging.join("netlab-main/exercises").join(FOLDER);
    exercise_copy(&zipped, solution);
    zip_folder(
        &staging.join("netlab-main"),
        "netlab-main",
        &class.join("zipped.zip"),
    );
    let tarred = staging.join("tarred").join(FOLDER);
    exercise_copy(&tarred, stub);
    solve_steps(&tarred, &FIRST_THREE);
    tar_gz_folder(&staging.join("tarred"), &class.join("tarred.tar.gz"));
    fs::write(class.join("broken.zip"), b"this is not a zip archive").unwrap();

    // Handed in chapter 2 only.
    let other = class.join("other-exercise/02-sockets/src");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("lib.rs"), "").unwrap();
    // Not a submission: a teacher's note beside them.
    fs::write(class.join("notes.txt"), "marked by hand: nobody\n").unwrap();
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn zip_folder(folder: &Path, prefix: &str, archive: &Path) {
    let mut writer = zip::ZipWriter::new(fs::File::create(archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for file in files_under(folder) {
        let name = Path::new(prefix).join(file.strip_prefix(folder).unwrap());
        writer.start_file(name.to_string_lossy(), options).unwrap();
        writer.write_all(&fs::read(&file).unwrap()).unwrap();
    }
    // An entry that tries to leave the unpacking folder is skipped.
    writer.start_file("../escaped.txt", options).unwrap();
    writer.write_all(b"outside").unwrap();
    writer.finish().unwrap();
}

fn tar_gz_folder(folder: &Path, archive: &Path) {
    let encoder = flate2::write::GzEncoder::new(
        fs::File::create(archive).unwrap(),
        flate2::Compression::fast(),
    );
    let mut builder = tar::Builder::new(encoder);
    builder.append_dir_all(".", folder).unwrap();
    builder.into_inner().unwrap().finish().unwrap();
}

/// The class, graded once: the folder holding every report written.
struct Graded {
    _dir: tempfile::TempDir,
    reports: PathBuf,
    stdout: String,
}

fn graded() -> &'static Graded {
    static GRADED: OnceLock<Graded> = OnceLock::new();
    GRADED.get_or_init(|| {
        let _cargo = common::one_cargo_at_a_time();
        let dir = tempfile::Builder::new()
            .prefix("netlab-grade-")
            .tempdir()
            .unwrap();
        let class = dir.path().join("class");
        make_class(&class);
        let reports = dir.path().join("reports");
        fs::create_dir_all(&reports).unwrap();
        let mut command = lab();
        command
            .args([
                "grade",
                "--exercise",
                EXERCISE,
                "--jobs",
                "2",
                "--time-limit",
                TIME_LIMIT,
            ])
            .arg(&class);
        for name in [
            "grades.json",
            "grades.csv",
            "grades.md",
            "junit.xml",
            "grades.txt",
        ] {
            command.arg("--out").arg(reports.join(name));
        }
        let output = command.output().expect("cargo lab grade runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "cargo lab grade failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        Graded {
            _dir: dir,
            reports,
            stdout,
        }
    })
}

fn report(name: &str) -> String {
    fs::read_to_string(graded().reports.join(name)).expect("the report was written")
}

fn json() -> Value {
    serde_json::from_str(&report("grades.json")).expect("grades.json is JSON")
}

fn student<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["student"] == name)
        .unwrap_or_else(|| panic!("no student {name} in the report"))
}

fn test_outcome<'a>(exercise: &'a Value, step: usize, test: &str) -> &'a Value {
    exercise["steps"][step]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == test)
        .unwrap_or_else(|| panic!("no test {test} in step {}", step + 1))
}

/// Every fixture gets exactly its points, step by step, in the JSON.
#[test]
fn every_submission_gets_the_points_it_deserves() {
    let json = json();
    let students = json["students"].as_array().unwrap();
    let names: Vec<&str> = students
        .iter()
        .map(|s| s["student"].as_str().unwrap())
        .collect();
    let mut wanted: Vec<&str> = expected().iter().map(|(n, _, _)| *n).collect();
    wanted.sort();
    let mut found = names.clone();
    found.sort();
    assert_eq!(
        found, wanted,
        "the class as found (notes.txt is not a submission)"
    );
    let mut wrong = Vec::new();
    for (name, total, steps) in expected() {
        let s = student(&json, name);
        let points: Vec<u64> = s["exercises"]
            .as_array()
            .unwrap()
            .first()
            .map(|e| {
                e["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|st| st["points"].as_u64().unwrap())
                    .collect()
            })
            .unwrap_or_else(|| vec![0; 6]);
        if s["points"] != total || points != steps {
            wrong.push(format!(
                "{name}: got {} {points:?}, expected {total} {steps:?}",
                s["points"]
            ));
        }
        assert_eq!(s["max_points"], 70);
    }
    assert!(wrong.is_empty(), "wrong grades:\n{}", wrong.join("\n"));
}

/// An endless loop fails the test that ran it, by that test's own
/// deadline, and nothing else: its other tests pass.
#[test]
fn an_endless_loop_fails_its_test_only() {
    let json = json();
    let exercise = &student(&json, "endless-loop")["exercises"][0];
    let step5 = &exercise["steps"][4];
    assert_eq!(step5["outcome"], "failed");
    let looped = test_outcome(
        exercise,
        4,
        "classifies_ports_into_the_three_ranges_at_their_edges",
    );
    assert_eq!(looped["outcome"], "failed");
    let why = looped["output"].as_str().unwrap_or_default();
    assert!(why.contains("did not finish within"), "{why}");
    assert_eq!(
        test_outcome(exercise, 4, "names_the_well_known_services")["outcome"],
        "passed"
    );
}

/// A loop that outlasts the grader's time limit times out in its step
/// alone; the step's other tests pass.
#[test]
fn a_loop_past_the_time_limit_times_out_that_step_only() {
    let json = json();
    let exercise = &student(&json, "hangs")["exercises"][0];
    let step6 = &exercise["steps"][5];
    assert_eq!(step6["outcome"], "timed_out");
    assert_eq!(
        test_outcome(exercise, 5, "resolves_localhost_to_loopback_once_each")["outcome"],
        "timed_out"
    );
    assert_eq!(
        test_outcome(exercise, 5, "ephemeral_port_is_chosen_by_the_os")["outcome"],
        "passed"
    );
}

/// `process::exit(0)` fails the test that called it and never passes one.
#[test]
fn an_early_exit_fails_its_test_and_spares_the_others() {
    let json = json();
    let exercise = &student(&json, "exits")["exercises"][0];
    let exited = test_outcome(
        exercise,
        1,
        "writes_dotted_binary_with_all_eight_bits_per_octet",
    );
    assert_eq!(exited["outcome"], "failed");
    let why = exited["output"].as_str().unwrap();
    assert!(why.contains("before this test reported a result"), "{why}");
    assert_eq!(
        test_outcome(exercise, 1, "converts_an_address_to_its_32_bit_number")["outcome"],
        "passed"
    );
    let stub = &student(&json, "exits-instead-of-failing")["exercises"][0];
    assert_eq!(stub["steps"][0]["tests_passed"], 0);
    assert_eq!(stub["steps"][0]["outcome"], "failed");
}

/// Edited tests and manifests count for nothing, and are listed.
#[test]
fn tampered_tests_are_ignored_and_reported() {
    let json = json();
    let exercise = &student(&json, "tampered")["exercises"][0];
    assert_eq!(
        exercise["steps"][0]["tests_total"], 7,
        "the workbook's own tests ran"
    );
    let changed: Vec<String> = exercise["changed_outside_src"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["path"].as_str().unwrap(),
                c["change"].as_str().unwrap()
            )
        })
        .collect();
    for wanted in [
        "exercises/01-ports/Cargo.toml edited",
        "exercises/01-ports/tests/step1_host_port.rs edited",
        "exercises/01-ports/tests/mine.rs added",
    ] {
        assert!(
            changed.iter().any(|c| c == wanted),
            "{wanted} not in {changed:?}"
        );
    }
    let untouched = &student(&json, "untouched")["exercises"][0];
    assert_eq!(untouched["changed_outside_src"], serde_json::json!([]));
}

/// A compile error is every step's, with the compiler's words pointing
/// into the student's own exercises/ folder.
#[test]
fn a_compile_error_is_shown_with_the_students_paths() {
    let json = json();
    let exercise = &student(&json, "compile-error")["exercises"][0];
    for step in exercise["steps"].as_array().unwrap() {
        assert_eq!(step["outcome"], "did_not_compile");
    }
    let errors = exercise["compile_errors"].as_str().unwrap();
    assert!(
        errors.contains("exercises/01-ports/src/step4_subnets.rs"),
        "{errors}"
    );
    assert!(!errors.contains("students/"), "{errors}");
}

/// Broken archives, missing exercises and floods are reported, bounded.
#[test]
fn unreadable_and_missing_submissions_are_reported_not_fatal() {
    let json = json();
    let broken = student(&json, "broken");
    assert!(
        broken["problem"].as_str().unwrap().contains("unpacked"),
        "{broken}"
    );
    let other = &student(&json, "other-exercise")["exercises"][0];
    assert_eq!(other["submitted"], false);
    assert_eq!(other["steps"][0]["outcome"], "not_submitted");
    // Megabytes printed by the flood are not in the report.
    assert!(report("grades.json").len() < 4 << 20);
    // The zip's `../escaped.txt` went nowhere.
    assert!(!grade_dir().join("unpacked/escaped.txt").exists());
}

/// The CSV is one row of points per student, ready for a gradebook.
#[test]
fn csv_has_a_row_of_points_per_student() {
    let csv = report("grades.csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("student,ports,total"));
    let rows: Vec<&str> = lines.collect();
    for (name, total, _) in expected() {
        let row = format!("{name},{total},{total}");
        assert!(rows.contains(&row.as_str()), "{row} not in\n{csv}");
    }
    assert_eq!(rows.len(), expected().len());
}

/// The table, Markdown and JUnit reports say the same.
#[test]
fn table_markdown_and_junit_agree_with_the_grades() {
    let table = report("grades.txt");
    let markdown = report("grades.md");
    for (name, total, _) in expected() {
        let found = table.lines().any(|l| {
            l.starts_with(name) && l.trim_end().ends_with(&format!("{total}/70"))
        });
        assert!(found, "no table row for {name} with {total}/70:\n{table}");
        assert!(
            markdown.contains(&format!("| {name} |"))
                && markdown.contains(&format!("| {total}/70 |")),
            "{name} in\n{markdown}"
        );
    }
    assert!(table.contains("timed out"), "{table}");
    assert!(table.contains("did not compile"), "{table}");
    assert!(table.contains("changed outside src/"), "{table}");

    let junit = report("junit.xml");
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert_eq!(junit.matches("<testsuites").count(), 1);
    assert!(junit.contains("<testsuite name=\"solved/ports\" tests=\"39\" failures=\"0\" errors=\"0\""), "{junit}");
    assert!(junit.contains("type=\"timed_out\""));
    assert!(junit.contains("type=\"did_not_compile\""));
    assert!(junit.contains("type=\"unreadable\""));
    // Well-formed enough: every opened element is closed.
    assert_eq!(
        junit.matches("<testcase ").count(),
        junit.matches("</testcase>").count()
    );
    assert_eq!(
        junit.matches("<testsuite ").count(),
        junit.matches("</testsuite>").count()
    );
    assert!(
        graded().stdout.contains("14 submissions graded"),
        "{}",
        graded().stdout
    );
}

/// A student graded again with other code gets the new code's grade: the
/// shared target directory keeps no stale test binary.
#[test]
fn grading_again_never_reuses_an_earlier_submissions_build() {
    graded();
    let _cargo = common::one_cargo_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let grade = |src: &str| -> Value {
        let alice = dir.path().join("alice");
        let _ = fs::remove_dir_all(&alice);
        exercise_copy(&alice.join(FOLDER), src);
        let output = lab()
            .args([
                "grade",
                "--exercise",
                EXERCISE,
                "--format",
                "json",
                "--time-limit",
                TIME_LIMIT,
            ])
            .arg(&alice)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    assert_eq!(grade("solutions/01-ports/src")["students"][0]["points"], 70);
    assert_eq!(grade("exercises/01-ports/src")["students"][0]["points"], 0);
}

/// Usage and setup errors exit with 2; a bad submission does not.
#[test]
fn usage_errors_exit_with_two() {
    let _cargo = common::one_cargo_at_a_time();
    lab()
        .args(["grade", "/no/such/submission"])
        .assert()
        .code(2);
    lab()
        .args(["grade", "--exercise", "nope", "."])
        .assert()
        .code(2);
    lab().arg("grade").assert().code(2);
}
