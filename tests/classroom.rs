//! `cargo lab classroom`: the GitHub Classroom workflow it writes is YAML
//! in the shape Classroom reads (workflow `Autograding Tests`, one job
//! `run-autograding-tests`, a command grader per exercise step with its
//! points, the reporter given every grader's result), and each grader's
//! command, run in the workbook, runs a real step's tests.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn lab() -> Command {
    let mut command = Command::cargo_bin("netlab").expect("the netlab binary");
    command
        .current_dir(common::workbook_root())
        .env("NO_COLOR", "1")
        .env_remove("NETLAB_ROOT");
    command
}

/// The workflow `cargo lab classroom ARGS` writes, parsed.
fn workflow(args: &[&str]) -> Yaml {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("classroom.yml");
    lab()
        .arg("classroom")
        .args(args)
        .arg("--out")
        .arg(&path)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&path).expect("the workflow was written");
    let mut documents =
        YamlLoader::load_from_str(&text).expect("the workflow is YAML");
    assert_eq!(documents.len(), 1, "one YAML document:\n{text}");
    documents.remove(0)
}

fn steps(workflow: &Yaml) -> &Vec<Yaml> {
    workflow["jobs"]["run-autograding-tests"]["steps"]
        .as_vec()
        .expect("the job has steps")
}

fn graders(workflow: &Yaml) -> Vec<&Yaml> {
    steps(workflow)
        .iter()
        .filter(|s| {
            s["uses"].as_str()
                == Some("classroom-resources/autograding-command-grader@v1")
        })
        .collect()
}

/// `(package, test)` of `… cargo test -p PACKAGE --test TEST 2>&1 | …`.
fn package_and_test(command: &str) -> (String, String) {
    let cargo_test = command
        .split(" && ")
        .find(|part| part.starts_with("cargo test"))
        .and_then(|part| part.split(" 2>&1").next())
        .unwrap_or(command);
    let words: Vec<&str> = cargo_test.split_whitespace().collect();
    match words.as_slice() {
        ["cargo", "test", "-p", package, "--test", test] => {
            ((*package).to_owned(), (*test).to_owned())
        }
        _ => panic!("not a step's test command: {command}"),
    }
}

/// Classroom's fixed shape, a grader per step with the metadata's points,
/// and the reporter that sends them all.
#[test]
fn the_workflow_has_classrooms_shape_and_every_step() {
    let _cargo = common::one_cargo_at_a_time();
    let workflow = workflow(&[]);
    assert_eq!(workflow["name"].as_str(), Some("Autograding Tests"));
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    assert_eq!(jobs.len(), 1, "Classroom reads a single job");
    assert!(workflow["on"].as_vec().is_some(), "it runs on push");

    let workbook = common::workbook();
    let wanted: Vec<(String, String, i64)> = workbook
        .exercises
        .iter()
        .flat_map(|e| {
            e.steps
                .iter()
                .map(|s| (e.package.clone(), s.test.clone(), i64::from(s.points)))
        })
        .collect();
    assert!(!wanted.is_empty());
    let graders = graders(&workflow);
    let found: Vec<(String, String, i64)> = graders
        .iter()
        .map(|g| {
            let with = &g["with"];
            let (package, test) =
                package_and_test(with["command"].as_str().unwrap());
            assert!(with["test-name"].as_str().is_some_and(|n| !n.is_empty()));
            assert!(with["timeout"].as_i64().is_some_and(|t| t > 0));
            (
                package,
                test,
                with["max-score"].as_i64().expect("max-score"),
            )
        })
        .collect();
    assert_eq!(
        found, wanted,
        "one grader per step, in order, with its points"
    );

    let ids: Vec<&str> = graders.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "unique ids"
    );
    let reporter = steps(&workflow).last().unwrap();
    assert_eq!(
        reporter["uses"].as_str(),
        Some("classroom-resources/autograding-grading-reporter@v1")
    );
    assert_eq!(
        reporter["with"]["runners"].as_str(),
        Some(ids.join(",").as_str())
    );
    let env = reporter["env"].as_hash().expect("the reporter's env");
    assert_eq!(env.len(), ids.len());
    for id in &ids {
        let key = Yaml::String(format!("{}_RESULTS", id.to_ascii_uppercase()));
        assert_eq!(
            env.get(&key).and_then(Yaml::as_str),
            Some(format!("${{{{steps.{id}.outputs.result}}}}").as_str()),
            "{key:?}"
        );
    }
}

/// Every command names a package and a test target the workspace has, and
/// the paths the workflow puts back from the first commit exist.
#[test]
fn every_command_names_a_real_test_target() {
    let _cargo = common::one_cargo_at_a_time();
    let workflow = workflow(&[]);
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(common::workbook_root().join("Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata");
    for grader in graders(&workflow) {
        let (package, test) =
            package_and_test(grader["with"]["command"].as_str().unwrap());
        let found = metadata.packages.iter().any(|p| {
            p.name.as_str() == package
                && p.targets.iter().any(|t| {
                    t.name == test
                        && t.kind.contains(&cargo_metadata::TargetKind::Test)
                })
        });
        assert!(found, "no test target `{test}` in package `{package}`");
    }
    let restore = steps(&workflow)
        .iter()
        .find(|s| s["name"].as_str() == Some("Put back the workbook's own tests"))
        .expect("the step that puts the tests back");
    let script = restore["run"].as_str().unwrap();
    let paths = script
        .split("for path in ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("a list of paths");
    for path in paths.split_whitespace() {
        assert!(
            common::workbook_root().join(path).exists(),
            "{path} is not in the workbook"
        );
    }
}

/// Runs a grader's command as the runner's shell does, in `dir`.
fn run_command(command: &str, dir: &Path) -> std::process::Output {
    StdCommand::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", common::copies_target_dir())
        .output()
        .expect("sh runs")
}

/// `--exercise ports` grades chapter 1 only, and its commands, run in a
/// copy of the workbook, pass on the solved exercise, fail on the stub,
/// and fail when a student's function exits the test binary with success.
#[test]
fn one_exercises_commands_pass_only_on_passing_code() {
    let _cargo = common::one_cargo_at_a_time();
    let workflow = workflow(&["--exercise", "ports"]);
    let graders = graders(&workflow);
    let workbook = common::workbook();
    let ports = workbook.exercise("ports").unwrap();
    assert_eq!(graders.len(), ports.steps.len());
    let commands: Vec<&str> = graders
        .iter()
        .map(|g| g["with"]["command"].as_str().unwrap())
        .collect();
    for (command, step) in commands.iter().zip(&ports.steps) {
        let (package, test) = package_and_test(command);
        assert_eq!(
            (package.as_str(), test.as_str()),
            ("ports", step.test.as_str())
        );
    }

    let copy = common::copy_workbook();
    let stub = run_command(commands[0], &copy.root);
    assert!(!stub.status.success(), "the stub passed `{}`", commands[0]);
    assert!(String::from_utf8_lossy(&stub.stdout).contains("test result: FAILED"));

    copy.solve("ports");
    for command in &commands {
        let solved = run_command(command, &copy.root);
        assert!(
            solved.status.success(),
            "the solution failed `{command}`:\n{}",
            String::from_utf8_lossy(&solved.stdout)
        );
    }

    let step1 = copy.root.join("exercises/01-ports/src/step1_host_port.rs");
    let text = std::fs::read_to_string(&step1).unwrap();
    let signature =
        "pub fn parse_host_port(input: &str) -> Result<SocketAddr, HostPortError> {";
    assert!(text.contains(signature));
    let exits = text.replace(
        signature,
        &format!(
            "{signature}\n    std::process::exit(0);\n    #[allow(unreachable_code)]"
        ),
    );
    std::fs::write(&step1, exits).unwrap();
    let exited = run_command(commands[0], &copy.root);
    assert!(
        !exited.status.success(),
        "`{}` passed a function that exits with success:\n{}",
        commands[0],
        String::from_utf8_lossy(&exited.stdout)
    );
}

/// An exercise without steps, or a nonsense timeout, is a usage error.
#[test]
fn usage_errors_exit_with_two() {
    let _cargo = common::one_cargo_at_a_time();
    lab()
        .args(["classroom", "--exercise", "nope"])
        .assert()
        .code(2);
    lab()
        .args(["classroom", "--timeout", "0", "--out", "-"])
        .assert()
        .code(2);
    let printed = lab().args(["classroom", "--out", "-"]).output().unwrap();
    assert!(printed.status.success());
    assert!(
        String::from_utf8_lossy(&printed.stdout).starts_with("# GitHub Classroom")
    );
    assert!(!Path::new(&common::workbook_root().join("-")).exists());
}
