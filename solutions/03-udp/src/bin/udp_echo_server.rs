//! `udp-echo-server [ADDR] [--seconds N]`: the model echo server, for a lab.
//!
//! Runs the solution's [`udp::step2_echo_server::EchoServer`] on `ADDR`
//! (default `127.0.0.1:0`, a port from the OS) and prints the address it got
//! on the first line of stdout, so a script or a teacher can point
//! `cargo lab probe udp-echo` at it. It serves until Ctrl-C, or for `N`
//! seconds and then prints what it did.
//!
//! ```text
//! cargo run -p udp-solution --bin udp-echo-server -- 0.0.0.0:4000
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use udp::step2_echo_server::EchoServer;

const USAGE: &str =
    "usage: udp-echo-server [ADDR] [--seconds N]   (ADDR defaults to 127.0.0.1:0)";

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok((addr, seconds)) => match serve(&addr, seconds) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("udp-echo-server: {error}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("udp-echo-server: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The address to bind and, if given, how many seconds to serve.
fn parse_args(
    mut args: impl Iterator<Item = String>,
) -> Result<(String, Option<u64>), String> {
    let mut addr = None;
    let mut seconds = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err("help requested".to_string()),
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                let parsed = value.parse().map_err(|_| {
                    format!("--seconds needs a number, not `{value}`")
                })?;
                seconds = Some(parsed);
            }
            _ if addr.is_none() => addr = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok((addr.unwrap_or_else(|| "127.0.0.1:0".to_string()), seconds))
}

fn serve(addr: &str, seconds: Option<u64>) -> std::io::Result<()> {
    let server = EchoServer::bind(addr)?;
    // The first line is the address, and nothing else: scripts read it.
    println!("{}", server.local_addr()?);
    std::io::stdout().flush()?;
    let handle = server.spawn()?;
    match seconds {
        Some(seconds) => thread::sleep(Duration::from_secs(seconds)),
        // Until the process is ended (Ctrl-C).
        None => loop {
            thread::park();
        },
    }
    let stats = handle.stop()?;
    eprintln!(
        "echoed {} datagrams, {} bytes",
        stats.datagrams, stats.bytes
    );
    Ok(())
}
