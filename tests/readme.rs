//! The commands in `README.md` and `book/introduction.md` run as written,
//! on a fresh copy of the workbook, so the first page a newcomer reads
//! cannot drift from what the workbook does.
//!
//! Only blocks marked for it are run: an HTML comment (invisible on the
//! rendered page) right before a fenced code block, giving for each command
//! line of the block what it should do:
//!
//! ````markdown
//! <!-- readme-test: 0 1 server 0 -->
//! ```sh
//! cargo lab                       # exits 0
//! cargo lab check                 # exits 1: the stub fails its tests
//! cargo run -p x --bin server -- 0.0.0.0:9000
//! cargo lab probe udp-echo 192.0.2.17:9000
//! ```
//! ````
//!
//! - A number is the exit code the line must end with.
//! - `server` starts the line and leaves it running; it must print
//!   `listening on ADDR` on stdout (as the workbook's servers do) and is
//!   stopped when the block ends. Its own address, whatever is written, is
//!   replaced with `127.0.0.1:0` (loopback, a port from the OS); in the
//!   lines after it, an address with the same port as written (`…:9000`
//!   above) is replaced with the address the server printed, so the probe
//!   talks to the server the block started.
//!
//! A command line is one line of the block without its `# comment`; lines
//! that are blank or only a comment are not commands. Every line runs with
//! `sh -c` at the copy's root, stdin closed, one block after the other, so
//! a block may use what an earlier one made. Blocks without a marker (the
//! installation of mdBook, a benchmark, the fuzzer) are left alone, and
//! sections added later are run only once someone marks them.
//!
//! The commands are shell commands, so this runs where `sh` does.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{WorkbookCopy, copies_target_dir, copy_workbook};
use netlab::runner::process::run_with_limit;

/// The marker that makes a block checked.
const MARKER: &str = "<!-- readme-test:";

/// How long one command may take: the first ones build crates.
const COMMAND_LIMIT: Duration = Duration::from_secs(600);

/// What one command line should do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// End with this exit code.
    Exit(i32),
    /// Print `listening on ADDR` and keep running.
    Server,
}

/// A marked block of commands.
#[derive(Debug, Clone)]
struct Block {
    /// Where it is, for messages: `README.md:42`.
    place: String,
    /// Each command line with what it should do.
    commands: Vec<(String, Expect)>,
}

/// The command lines of a block's body: comments and blank lines dropped.
fn command_lines(body: &[&str]) -> Vec<String> {
    body.iter()
        .map(|line| strip_comment(line).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

/// A line without its ` # comment` (a `#` inside quotes is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '#') if at == 0 || line[..at].ends_with(char::is_whitespace) => {
                return &line[..at];
            }
            _ => {}
        }
    }
    line
}

/// The marked blocks of a Markdown file, in order. A marker that does not
/// sit right before a code block, or whose list does not match the block's
/// command lines, is an error: the test says what to fix.
fn marked_blocks(file: &str, text: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim();
        index += 1;
        let Some(rest) = line.strip_prefix(MARKER) else {
            continue;
        };
        let place = format!("{file}:{index}");
        let spec = rest
            .strip_suffix("-->")
            .ok_or_else(|| format!("{place}: the marker does not end with -->"))?;
        let expects = spec
            .split_whitespace()
            .map(|word| match word {
                "server" => Ok(Expect::Server),
                number => number.parse().map(Expect::Exit).map_err(|_| {
                    format!(
                        "{place}: `{number}` is neither an exit code nor `server`"
                    )
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let opening = lines.get(index).map(|l| l.trim_start()).unwrap_or_default();
        if !opening.starts_with("```") {
            return Err(format!(
                "{place}: the marker is not right before a ``` block"
            ));
        }
        let end = lines[index + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with("```"))
            .map(|at| index + 1 + at)
            .ok_or_else(|| format!("{place}: the block is never closed"))?;
        let commands = command_lines(&lines[index + 1..end]);
        if commands.len() != expects.len() {
            return Err(format!(
                "{place}: the marker says what {} command line(s) do, the block \
                 has {}:\n{}",
                expects.len(),
                commands.len(),
                commands.join("\n")
            ));
        }
        blocks.push(Block {
            place,
            commands: commands.into_iter().zip(expects).collect(),
        });
        index = end + 1;
    }
    Ok(blocks)
}

/// A server started by a block, stopped (with all it started) when dropped.
struct RunningServer {
    child: Child,
    /// The port as the README wrote it, which later lines use.
    written_port: Option<String>,
    /// The address it printed.
    addr: String,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // The whole process group: `cargo run` and what it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `host:port` tokens of a command line (IPv4 or a bracketed IPv6 host).
fn socket_addresses(line: &str) -> Vec<String> {
    line.split_whitespace()
        .filter(|word| word.parse::<std::net::SocketAddr>().is_ok())
        .map(str::to_owned)
        .collect()
}

/// The port of `host:port`.
fn port_of(addr: &str) -> Option<String> {
    addr.rsplit_once(':').map(|(_, port)| port.to_owned())
}

/// The line with each address whose port a running server was written
/// with replaced by that server's real address.
fn point_at_servers(line: &str, servers: &[RunningServer]) -> String {
    let mut line = line.to_owned();
    for addr in socket_addresses(&line) {
        let port = port_of(&addr);
        if let Some(server) = servers.iter().rev().find(|s| s.written_port == port) {
            line = line.replace(&addr, &server.addr);
        }
    }
    line
}

/// `sh -c LINE` at the copy's root, as a newcomer would type it, building
/// into the copies' shared target directory.
fn shell(copy: &WorkbookCopy, line: &str) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(line)
        .current_dir(&copy.root)
        .env("CARGO_TARGET_DIR", copies_target_dir())
        .env("NO_COLOR", "1")
        .env_remove("NETLAB_ROOT")
        .env_remove("RUST_BACKTRACE")
        .env_remove("CARGO")
        .env_remove("CARGO_MANIFEST_DIR");
    command
}

/// Starts a server line and waits for its `listening on ADDR`.
fn start_server(copy: &WorkbookCopy, line: &str, place: &str) -> RunningServer {
    let written = socket_addresses(line);
    let mut local = line.to_owned();
    for addr in &written {
        local = local.replace(addr, "127.0.0.1:0");
    }
    let mut command = shell(copy, &format!("exec {local}"));
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{place}: cannot start `{local}`: {e}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut server = RunningServer {
        child,
        written_port: written.first().and_then(|a| port_of(a)),
        addr: String::new(),
    };
    let (lines, inbox) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    // Drained so that a chatty build never blocks the server.
    let errors = thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    match inbox.recv_timeout(COMMAND_LIMIT) {
        Ok(first) => match first.strip_prefix("listening on ") {
            Some(addr) => server.addr = addr.trim().to_owned(),
            None => panic!(
                "{place}: `{local}` printed `{first}` first, not `listening on ADDR`"
            ),
        },
        Err(_) => {
            drop(server);
            let stderr = errors.join().unwrap_or_default();
            panic!(
                "{place}: `{local}` never said `listening on ADDR` (within \
                 {COMMAND_LIMIT:?}); it printed on stderr:\n{stderr}"
            );
        }
    }
    server
}

/// Runs every marked block of `file` (a path from the workbook's root) in
/// a fresh copy of the workbook.
fn run_marked_blocks(file: &str) {
    let copy = copy_workbook();
    let text = std::fs::read_to_string(copy.root.join(file))
        .unwrap_or_else(|e| panic!("reading {file}: {e}"));
    let blocks = marked_blocks(file, &text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !blocks.is_empty(),
        "{file} has no block marked `{MARKER} … -->`"
    );
    // The first `cargo lab` may build and say so; the later ones are quiet.
    let mut cargo_lab_built = false;
    for block in blocks {
        let mut servers: Vec<RunningServer> = Vec::new();
        for (line, expect) in &block.commands {
            let place = &block.place;
            match expect {
                Expect::Server => servers.push(start_server(&copy, line, place)),
                Expect::Exit(code) => {
                    let command_line = point_at_servers(line, &servers);
                    let finished = run_with_limit(
                        &mut shell(&copy, &command_line),
                        COMMAND_LIMIT,
                    )
                    .unwrap_or_else(|e| panic!("{place}: `{line}`: {e}"));
                    let got = finished.status.and_then(|s| s.code());
                    assert_eq!(
                        got,
                        Some(*code),
                        "{place}: `{command_line}` should exit with {code}, \
                         {}\n--- stdout:\n{}\n--- stderr:\n{}",
                        match got {
                            Some(got) => format!("exited with {got}"),
                            None => "was stopped or killed".to_owned(),
                        },
                        finished.stdout,
                        finished.stderr
                    );
                    if line.starts_with("cargo lab") {
                        assert!(
                            !cargo_lab_built
                                || !finished.stderr.contains("building"),
                            "{place}: `{line}` built again, or said so:\n{}",
                            finished.stderr
                        );
                        cargo_lab_built = true;
                    }
                }
            }
        }
    }
}

/// The README's marked commands run as written on a fresh copy.
#[test]
fn readme_commands_run_as_written() {
    let _cargo = common::one_cargo_at_a_time();
    run_marked_blocks("README.md");
}

/// The introduction's marked commands run as written on a fresh copy.
#[test]
fn introduction_commands_run_as_written() {
    let _cargo = common::one_cargo_at_a_time();
    run_marked_blocks("book/introduction.md");
}

/// The README opens with the two commands a newcomer types: the book, then
/// `cargo lab`; and its test command, the one `.ci/run` runs, is there.
#[test]
fn readme_starts_with_the_book_and_cargo_lab() {
    let root = common::workbook_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let first_block: Vec<&str> = readme
        .split("```")
        .nth(1)
        .expect("README.md has a code block")
        .lines()
        .skip(1) // the fence's language
        .collect();
    let commands = command_lines(&first_block);
    assert_eq!(commands.len(), 2, "two commands first: {commands:?}");
    assert!(commands[0].contains("mdbook serve"), "{commands:?}");
    assert_eq!(commands[1], "cargo lab", "{commands:?}");
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    assert!(ci.contains("\ncargo test\n"), ".ci/run runs `cargo test`");
    assert!(
        readme.contains("\ncargo test "),
        "README.md names its test command, `cargo test`"
    );
}

/// The convention itself: markers are read, comments dropped, mismatches
/// reported, addresses rewritten.
#[test]
fn markers_are_read_as_documented() {
    let text = "intro\n<!-- readme-test: 0 server 1 -->\n```sh\n\
                make  # builds\n\n# a comment line\nserve 0.0.0.0:9000\n\
                probe 192.0.2.1:9000 '#x'\n```\n\n```sh\nunmarked\n```\n";
    let blocks = marked_blocks("X.md", text).expect("read");
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].place, "X.md:2");
    assert_eq!(
        blocks[0].commands,
        [
            ("make".to_owned(), Expect::Exit(0)),
            ("serve 0.0.0.0:9000".to_owned(), Expect::Server),
            ("probe 192.0.2.1:9000 '#x'".to_owned(), Expect::Exit(1)),
        ]
    );
    let wrong = "<!-- readme-test: 0 -->\n```sh\na\nb\n```\n";
    assert!(marked_blocks("X.md", wrong).unwrap_err().contains("has 2"));
    assert_eq!(
        socket_addresses("probe [::1]:7 192.0.2.1:9000 x:1"),
        ["[::1]:7", "192.0.2.1:9000"]
    );
}
