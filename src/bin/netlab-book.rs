//! `netlab-book`: the book's preprocessors, as mdBook runs them.
//!
//! `book.toml` registers it twice: as `[preprocessor.netlab]` (no argument),
//! which expands `{{#exercise …}}` (`netlab::book`), and as
//! `[preprocessor.netlab-snippets]` (argument `snippets`), which runs after
//! mdBook's includes and moves included code to the left margin
//! (`netlab::snippets`). mdBook may first ask `… supports RENDERER` (exit
//! code 0 means yes), then sends the book as JSON on standard input and reads
//! it back from standard output.
//!
//! The exercise boxes carry the reader's progress marks when the workbook
//! has a `.netlab/progress.json`; `NETLAB_BOOK_PROGRESS=0` leaves them out,
//! for a book to publish (see `netlab::book::reader_progress`).

use std::io;
use std::process::ExitCode;

const USAGE: &str = "usage: netlab-book [snippets] [supports RENDERER]\n\
    mdBook runs this to expand {{#exercise PACKAGE}} and tidy included code \
    (see book.toml)";

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
        ["snippets"] => {
            let pass = netlab::snippets::SnippetPreprocessor;
            match netlab::book::run_as_mdbook_preprocessor(
                &pass,
                io::stdin().lock(),
                io::stdout().lock(),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
        ["supports", renderer] | ["snippets", "supports", renderer] => {
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
