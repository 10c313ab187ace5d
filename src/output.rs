//! Printing for people: marks, colours, and a little grammar.
//!
//! Colour goes only to a terminal (std's `IsTerminal`), and never when
//! `NO_COLOR` is set, so piped output and files stay plain text.

use std::io::IsTerminal;

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
    fn indent_leaves_blank_lines_blank() {
        assert_eq!(indent("a\n\nb", "  "), "  a\n\n  b");
    }
}
