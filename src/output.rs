//! Printing for people: marks, colours, and a little grammar.
//!
//! Colour goes only to a terminal (std's `IsTerminal`), and never when
//! `NO_COLOR` is set, so piped output and files stay plain text.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

/// The width text is wrapped to when stdout is not a terminal.
pub const DEFAULT_WIDTH: usize = 80;

/// ✓ a step that passed.
pub const PASSED: &str = "✓";
/// ✗ a step that failed at this check.
pub const FAILED: &str = "✗";
/// · a step not done yet.
pub const NOT_YET: &str = "·";

/// How to dress text for the reader: with ANSI colours or without.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colours when stdout is a terminal and `NO_COLOR` is not set.
    pub fn for_stdout() -> Style {
        let wanted = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Style {
            color: wanted && std::io::stdout().is_terminal(),
        }
    }

    /// No colours at all.
    pub fn plain() -> Style {
        Style { color: false }
    }

    /// Whether this style colours its text.
    pub fn is_colored(self) -> bool {
        self.color
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Good news.
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Bad news.
    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Something to look at.
    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// Emphasis: names, headings, commands to type.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Background detail.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// The mark for a step: ✓ in green, or · dimmed.
    pub fn done_mark(self, done: bool) -> String {
        if done {
            self.green(PASSED)
        } else {
            self.dim(NOT_YET)
        }
    }
}

/// `1 step`, `3 steps`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` with every line indented by `prefix`.
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How wide the reader's terminal is, in columns; [`DEFAULT_WIDTH`] when
/// stdout is not a terminal (a pipe, a file) or its size is unknown.
/// `COLUMNS`, when set to a number, wins, as it does for most tools.
pub fn terminal_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
    {
        return columns;
    }
    if !std::io::stdout().is_terminal() {
        return DEFAULT_WIDTH;
    }
    crossterm::terminal::size()
        .map(|(columns, _)| usize::from(columns))
        .ok()
        .filter(|c| *c > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// `text` wrapped at `width` columns with every line indented by `prefix`.
/// Line breaks already in the text are kept (a hint's list stays a list);
/// a word longer than the line (a long path) is left whole rather than cut.
pub fn wrap(text: &str, width: usize, prefix: &str) -> String {
    // Never narrower than a few words, however small the window.
    let width = width.max(prefix.chars().count() + 20);
    let options = textwrap::Options::new(width)
        .initial_indent(prefix)
        .subsequent_indent(prefix)
        .break_words(false);
    text.lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                textwrap::fill(line, &options)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Shows `text` to the reader: through a pager (`$PAGER`, else `less`) when
/// stdout is a terminal and the text is longer than the window, so the top
/// of a long listing is not scrolled away; printed as it is otherwise (a
/// pipe or a file gets plain text, and a missing pager is no error).
pub fn page(text: &str) {
    let stdout = std::io::stdout();
    let rows = crossterm::terminal::size().map_or(0, |(_, rows)| usize::from(rows));
    let fits = rows == 0 || text.lines().count() < rows;
    if !stdout.is_terminal() || fits || !run_pager(text) {
        print!("{text}");
        let _ = stdout.lock().flush();
    }
}

/// Feeds `text` to the reader's pager; `false` when there is none to run.
fn run_pager(text: &str) -> bool {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".to_owned());
    let mut words = pager.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let mut command = Command::new(program);
    command.args(words).stdin(Stdio::piped());
    // less: quit at once if it fits after all, keep colours, leave the text
    // on the screen after quitting (as git does).
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    if let Some(mut input) = child.stdin.take() {
        // The reader may quit before reading it all: not an error.
        let _ = input.write_all(text.as_bytes());
    }
    let _ = child.wait();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_speak_english() {
        assert_eq!(count(1, "step"), "1 step");
        assert_eq!(count(0, "step"), "0 steps");
        assert_eq!(count(6, "test"), "6 tests");
    }

    #[test]
    fn plain_style_adds_nothing() {
        let style = Style::plain();
        assert_eq!(style.red("x"), "x");
        assert_eq!(style.done_mark(true), PASSED);
        assert_eq!(style.done_mark(false), NOT_YET);
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width_and_indents_them() {
        let hint = "Split at the last colon with `rsplit_once(':')`, because an \
                    IPv6 address has colons of its own, then parse the port as a \
                    u16 so that 65536 and -1 are refused.\nA second line stays.";
        let wrapped = wrap(hint, 40, "  ");
        for line in wrapped.lines() {
            assert!(line.chars().count() <= 40, "too long: {line:?}");
            assert!(line.starts_with("  "), "not indented: {line:?}");
        }
        assert!(wrapped.lines().count() > 4, "{wrapped}");
        assert!(
            wrapped
                .lines()
                .last()
                .unwrap()
                .ends_with("A second line stays.")
        );
    }

    #[test]
    fn indent_leaves_blank_lines_blank() {
        assert_eq!(indent("a\n\nb", "  "), "  a\n\n  b");
    }
}
