//! `netlab-book`: the book's preprocessor, as mdBook runs it.
//!
//! `book.toml` registers it as `[preprocessor.netlab]`. mdBook may first ask
//! `netlab-book supports RENDERER` (exit code 0 means yes), then runs it with
//! no arguments, the book as JSON on standard input, and reads the book back
//! from standard output. The work is done in `netlab::book`.

use std::io;
use std::process::ExitCode;

const USAGE: &str = "usage: netlab-book [supports RENDERER]\n\
    mdBook runs this to expand {{#exercise PACKAGE}} (see book.toml)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {
            match netlab::book::preprocess(io::stdin().lock(), io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
        ["supports", renderer] => {
            if netlab::book::supports(renderer) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
