//! `tcp-echo-server ADDR`: the model TCP echo server, for a lab.
//!
//! Every byte a client sends comes back, in order, until the client
//! half-closes; then the server finishes sending and closes. Up to 256
//! clients are served at once by the solution's [`tcp::step6_many_clients::PoolServer`];
//! more wait their turn. The first line of stdout is `listening on ADDR`,
//! then one line per connection as it ends:
//!
//! ```text
//! $ cargo run -p tcp-solution --bin tcp-echo-server -- 127.0.0.1:0
//! listening on 127.0.0.1:40123
//! 127.0.0.1:50312: 12 bytes in, 12 bytes out, closed by the client
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tcp::report::{
    ConnectionReport, Log, bind_or_explain, run_until_signal, stdout_log,
};
use tcp::step2_echo::{Counts, echo_counting};
use tcp::step6_many_clients::{Handler, PoolServer};

/// How many clients are echoed at once.
const MAX_CLIENTS: usize = 256;

/// The workbook's TCP echo server: every byte back, until the client's EOF.
#[derive(Parser)]
#[command(name = "tcp-echo-server", version)]
struct Args {
    /// The address to listen on, e.g. 0.0.0.0:7000 (port 0: any free port)
    addr: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match bind_or_explain("tcp-echo-server", &args.addr) {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    run_until_signal("tcp-echo-server", listener, |listener| {
        let server =
            PoolServer::start(listener, MAX_CLIENTS, echo_and_log(stdout_log()))?;
        // The pool serves until the process ends.
        let _server = server;
        loop {
            std::thread::park();
        }
    })
}

/// The pool's handler: echo, then report how it went.
fn echo_and_log(log: Log) -> Handler {
    Arc::new(move |mut stream| {
        let Ok(peer) = stream.peer_addr() else {
            return; // gone before we could even ask
        };
        let mut counts = Counts::default();
        let ended = match echo_counting(&mut stream, &mut counts) {
            Ok(()) => "closed by the client".to_string(),
            Err(error) => format!("error: {error}"),
        };
        log(&ConnectionReport {
            peer,
            counts,
            ended,
        });
    })
}
