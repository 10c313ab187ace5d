//! `chat-server ADDR`: the model chat room, for a lab.
//!
//! The workbook's chat protocol (see [`tcp::step7_chat`]): lines of text;
//! each line goes to every other client as `<name>: line`, a client's name
//! being its address; `* <name> joined` and `* <name> left` notices; a
//! line over 4096 bytes, or a client too slow to read what it is sent,
//! gets that client disconnected. The first line of stdout is `listening
//! on ADDR`, then one line per connection as it ends:
//!
//! ```text
//! $ cargo run -p tcp-solution --bin chat-server -- 0.0.0.0:7000
//! listening on 0.0.0.0:7000
//! 192.0.2.17:50312: 40 bytes in, 122 bytes out, left
//! ```

use std::process::ExitCode;

use clap::Parser;
use tcp::report::{bind_or_explain, run_until_signal, stdout_log};
use tcp::step7_chat::serve_chat_logged;

/// The workbook's chat room: every line to every other client.
#[derive(Parser)]
#[command(name = "chat-server", version)]
struct Args {
    /// The address to listen on, e.g. 0.0.0.0:7000 (port 0: any free port)
    addr: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match bind_or_explain("chat-server", &args.addr) {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    run_until_signal("chat-server", listener, |listener| {
        serve_chat_logged(listener, stdout_log())
    })
}
