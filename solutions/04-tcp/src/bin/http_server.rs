//! `http-server ADDR [--root DIR]`: the model HTTP/1.1 file server, for a
//! lab.
//!
//! GET and HEAD of the files under DIR (default `.`), one request per
//! connection: 200 with `Content-Length` and `Content-Type`, 400 for a
//! malformed request, 404 for a missing file or any path that would leave
//! the root, 405 with `Allow: GET, HEAD` for other methods; every response
//! says `Connection: close`. The first line of stdout is `listening on
//! ADDR`, then one line per connection as it ends:
//!
//! ```text
//! $ cargo run -p tcp-solution --bin http-server -- 127.0.0.1:8080 --root book
//! listening on 127.0.0.1:8080
//! 127.0.0.1:50312: 78 bytes in, 1290 bytes out, GET /index.html 200
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tcp::report::{bind_or_explain, run_until_signal, stdout_log};
use tcp::step8_http::serve_http_logged;

/// The workbook's web server: files under a root, over HTTP/1.1.
#[derive(Parser)]
#[command(name = "http-server", version)]
struct Args {
    /// The address to listen on, e.g. 0.0.0.0:8080 (port 0: any free port)
    addr: String,
    /// The folder whose files are served
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.root.is_dir() {
        eprintln!("http-server: --root {}: not a folder", args.root.display());
        return ExitCode::from(2);
    }
    let listener = match bind_or_explain("http-server", &args.addr) {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let root = args.root;
    run_until_signal("http-server", listener, move |listener| {
        serve_http_logged(listener, root, stdout_log())
    })
}
